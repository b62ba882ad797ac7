import type { OutputOf } from '../../../../services/contract/index';
import { plural } from './sync';

type Net = OutputOf<'sync.network'>;
type Alert = Net['alerts'][number];

export type Tag = 'watchlist' | 'returned' | 'promoted' | 'faces' | 'off-list';
export const TAGS: { id: Tag; label: string }[] = [
  { id: 'watchlist', label: 'On watchlist' },
  { id: 'returned', label: 'Returned' },
  { id: 'promoted', label: 'Newly added' },
  { id: 'faces', label: 'Face on file' },
  { id: 'off-list', label: 'No longer listed' },
];

const DAY = 86_400_000;
export const TIMEFRAMES: { id: string; label: string; ms?: number }[] = [
  { id: 'all', label: 'Any time' },
  { id: '1d', label: 'Last 24 hours', ms: DAY },
  { id: '7d', label: 'Last 7 days', ms: 7 * DAY },
  { id: '30d', label: 'Last 30 days', ms: 30 * DAY },
];

export interface OffenderEntry {
  offenderId: string;
  onWatchlist: boolean;
  templates: number;
  expiresAt: number | null;
  lastSeen: number;
  alerts: Alert[];
  tags: Tag[];
  summary: string;
  action: string;
  level: 'high' | 'watch' | 'info';
}

/**
 * One entry per offender, from the watchlist and the return alerts together. The network sends
 * an alert each time Ops confirms the person again, so the alerts are the incident history the
 * station knows of; the latest of them (or the watchlist refresh) is when they were last seen.
 */
export function offenderEntries(net: Net): OffenderEntry[] {
  const byId = new Map<string, OffenderEntry>();
  const entry = (id: string) => {
    let e = byId.get(id);
    if (!e) byId.set(id, (e = { offenderId: id, onWatchlist: false, templates: 0, expiresAt: null, lastSeen: 0, alerts: [], tags: [], summary: '', action: '', level: 'info' }));
    return e;
  };
  for (const o of net.offenders) {
    const e = entry(o.offenderId);
    e.onWatchlist = true;
    e.templates = o.templates;
    e.expiresAt = o.expiresAt;
    e.lastSeen = Math.max(e.lastSeen, o.updatedAt);
  }
  for (const a of net.alerts) {
    const e = entry(a.offenderId);
    e.alerts.push(a);
    e.lastSeen = Math.max(e.lastSeen, a.createdAt);
  }
  for (const e of byId.values()) {
    e.alerts.sort((a, b) => b.createdAt - a.createdAt);
    const returned = e.alerts.filter((a) => a.kind === 'returned').length;
    const promoted = e.alerts.some((a) => a.kind === 'promoted');
    if (e.onWatchlist) e.tags.push('watchlist');
    else e.tags.push('off-list');
    if (returned) e.tags.push('returned');
    if (promoted) e.tags.push('promoted');
    if (e.templates) e.tags.push('faces');
    const parts: string[] = [];
    if (promoted) parts.push('added to the network watchlist after Penny Ops confirmed cases in your region');
    if (returned) parts.push(`confirmed again ${returned === 1 ? 'once' : `${returned} times`} since being listed`);
    if (!parts.length) parts.push(e.onWatchlist ? 'on the network watchlist for your region' : 'reported in a past alert');
    if (e.templates) parts.push(`${plural(e.templates, 'face template')} on this station`);
    e.summary = parts.join('; ').replace(/^./, (c) => c.toUpperCase()) + '.';
    e.level = !e.onWatchlist ? 'info' : returned ? 'high' : 'watch';
    e.action = !e.onWatchlist
      ? 'No action: this person is no longer on the network watchlist.'
      : e.templates
        ? 'Face search alerts you in Monitor if this person comes in. Greet them, stay visible near the register, and do not confront. Call police only if there is a threat.'
        : 'Stay alert at the register and keep the cameras on the door. Do not confront; note the time and add it to a case if something happens.';
  }
  return [...byId.values()].sort((a, b) => b.lastSeen - a.lastSeen);
}
