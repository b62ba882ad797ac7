import { DateTime } from 'luxon';
import type { Severity } from '../../contract/commands/rules.js';

/** Pure decisions of the alert pipeline, kept apart so they can be tested without a core. */

const ORDER: readonly Severity[] = ['low', 'medium', 'high', 'critical'];
export const severityRank = (s: Severity): number => ORDER.indexOf(s);
export const atLeast = (s: Severity, min: Severity): boolean => severityRank(s) >= severityRank(min);
/** The highest severity: never silenced by quiet hours, never held by the rate limit or a storm. */
export const isTopSeverity = (s: Severity): boolean => s === 'critical';

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 5_000, capMs: 30 * 60_000 };

/**
 * Delay before attempt `attempt + 1` after `attempt` failures: exponential, capped, with "equal
 * jitter" (half fixed, half random) so that many stations retrying one broken server spread out
 * but a retry never comes sooner than half the nominal delay.
 */
export function backoffDelay(attempt: number, rand: () => number = Math.random, o: BackoffOptions = DEFAULT_BACKOFF): number {
  const nominal = Math.min(o.capMs, o.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(nominal / 2 + rand() * (nominal / 2));
}

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

/**
 * When quiet hours hold at `now` (store-local HH:MM range; start > end wraps past midnight),
 * the instant they end; otherwise null.
 */
export function quietUntil(now: number, zone: string, start: string | null, end: string | null): number | null {
  if (!start || !end || start === end) return null;
  const local = DateTime.fromMillis(now, { zone });
  const cur = local.hour * 60 + local.minute;
  const s = minutesOf(start);
  const e = minutesOf(end);
  const inside = s < e ? cur >= s && cur < e : cur >= s || cur < e;
  if (!inside) return null;
  let endAt = local.set({ hour: Math.floor(e / 60), minute: e % 60, second: 0, millisecond: 0 });
  if (endAt.toMillis() <= now) endAt = endAt.plus({ days: 1 });
  return endAt.toMillis();
}

/**
 * Per-contact rate limit over a sliding hour: given the send times in the last hour (ascending),
 * null when another message may go now, else the instant a slot frees up.
 */
export function rateLimitedUntil(now: number, sentInLastHour: readonly number[], perHour: number): number | null {
  if (sentInLastHour.length < perHour) return null;
  const oldestThatMustAge = sentInLastHour[sentInLastHour.length - perHour]!;
  return Math.max(now + 1, oldestThatMustAge + 60 * 60_000);
}

/** "no_sale" → "no-sales", for storm digests ("7 no-sales on Register 2 in 10 minutes"). */
export function pluralLabel(type: string, count: number): string {
  const word = type.replace(/_/g, '-');
  if (count === 1) return word;
  return /(s|x|ch|sh)$/.test(word) ? `${word}es` : `${word}s`;
}
