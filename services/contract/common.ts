import { z } from 'zod';

/** Shared field schemas. Messages are written for a person reading a form or a CLI error. */
export const Id = z.number().int().positive();
export const EpochMs = z.number().int().nonnegative();
export const Cents = z.number().int();
export const NonEmpty = (label: string, max = 200) =>
  z.string().trim().min(1, `${label} is required`).max(max, `${label} is longer than ${max} characters`);

export const TimeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return tz.includes('/') || tz === 'UTC';
    } catch {
      return false;
    }
  },
  { message: 'time zone must be an IANA name such as America/Chicago' },
);

export const Empty = z.object({}).strict();
export const Ok = z.object({ ok: z.literal(true) });
