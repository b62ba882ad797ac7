import { z } from 'zod';
import { defineEvent } from './registry.js';

export const storeUpdated = defineEvent({
  name: 'store.updated',
  doc: 'The store profile changed.',
  payload: z.object({ id: z.number() }),
});

export const settingChanged = defineEvent({
  name: 'setting.changed',
  doc: 'A setting was set or cleared.',
  payload: z.object({ key: z.string() }),
});

export const auditRecorded = defineEvent({
  name: 'audit.recorded',
  doc: 'An audit event was written.',
  payload: z.object({ id: z.number(), action: z.string(), entity: z.string() }),
});

export const foundationEvents = [storeUpdated, settingChanged, auditRecorded] as const;
