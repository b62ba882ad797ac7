import { useEffect, useState } from 'react';
import { api } from '../../api/client';

/** Money and time as a manager reads them: dollars, and the store's own wall clock. */

const usd = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
export const money = (cents: number) => `${cents < 0 ? '−' : ''}$${usd.format(Math.abs(cents) / 100)}`;

let zoneCache: string | undefined;
/** The store's time zone (times are shown as the store's clock, not the viewer's). */
export function useStoreZone(): string {
  const [zone, setZone] = useState(zoneCache ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
  useEffect(() => {
    if (zoneCache) return;
    api
      .call('store.get', {})
      .then((s) => {
        zoneCache = s.timezone;
        setZone(s.timezone);
      })
      .catch(() => undefined);
  }, []);
  return zone;
}

export function fmtDateTime(ms: number, zone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: zone, month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' }).format(ms);
}
export function fmtTime(ms: number, zone: string, seconds = false): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}) }).format(ms);
}

/** Epoch ms of local midnight of a yyyy-mm-dd day in a zone (for the date filter). */
export function zonedDayStart(day: string, zone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  // The zone's offset at that instant; two passes settle days that start in the other side of a DST change.
  const offset = (t: number) => {
    const p = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
        .formatToParts(t)
        .map((x) => [x.type, x.value]),
    );
    return Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!) - t;
  };
  let t = guess - offset(guess);
  t = guess - offset(t);
  return t;
}

export const STATUS_LABEL: Record<string, string> = {
  open: 'Open',
  approved: 'Approved',
  investigating: 'Investigating',
  escalated: 'Escalated',
  confirmed: 'Confirmed',
  dismissed: 'Dismissed',
};

export const TYPE_LABEL = (t: string) => t.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase());

export function newJobId(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `job-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
