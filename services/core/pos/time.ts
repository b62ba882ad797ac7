import { DateTime } from 'luxon';

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export const wallIso = (w: WallClock) =>
  `${w.year}-${p2(w.month)}-${p2(w.day)}T${p2(w.hour)}:${p2(w.minute)}:${p2(w.second)}`;
const p2 = (n: number) => (n < 10 ? '0' + n : String(n));

interface MinuteInfo {
  /** UTC ms of this wall-clock minute (after a gap: shifted forward by the gap). */
  earlier: number;
  /** Set only when the minute occurs twice (the autumn-back hour): the second occurrence. */
  later: number | null;
}

/**
 * Turns store-local wall-clock times into UTC epoch ms for one file.
 *
 * - A time inside a spring-forward gap (02:30 on the day clocks jump to 03:00) does not exist; it
 *   is shifted forward by the gap (02:30 → 03:30 daylight time), as the POS clock would have read.
 * - A time in the autumn-back hour (01:30 happens twice) is ambiguous. POS exports are in time
 *   order (Modisoft newest first, NAXML oldest first), so of the two candidates we take the one that
 *   keeps the file's order with the previous row, nearest first; with no previous row to go by we
 *   take the earlier (daylight-time) offset. This is what makes a no-sale burst across the hour
 *   count correctly instead of being split an hour apart.
 *
 * Most days have one UTC offset from end to end; those convert with arithmetic alone. Only the
 * two transition days a year go through luxon, minute by minute (cached), so a million rows cost a
 * few hundred luxon calls.
 */
export class WallClockResolver {
  /** Per local date (yyyymmdd): the day's single offset in minutes, or null on a transition day. */
  private dayOffset = new Map<number, number | null>();
  private cache = new Map<string, MinuteInfo>();
  private prev: number | null = null;
  private direction = 0;
  constructor(readonly zone: string) {
    if (!DateTime.local().setZone(zone).isValid) throw new Error(`unknown time zone ${zone}`);
  }

  private uniformOffset(w: WallClock): number | null {
    const key = w.year * 10_000 + w.month * 100 + w.day;
    let off = this.dayOffset.get(key);
    if (off === undefined) {
      // Offsets sampled every 6 hours from a day and a half before local noon to a day and a half
      // after cover every instant the day's wall times can map to (offsets stay within ±14 h).
      const noon = Date.UTC(w.year, w.month - 1, w.day, 12);
      const seen = new Set<number>();
      for (let h = -36; h <= 36; h += 6) seen.add(DateTime.fromMillis(noon + h * 3600_000, { zone: this.zone }).offset);
      off = seen.size === 1 ? [...seen][0]! : null;
      if (this.dayOffset.size > 100_000) this.dayOffset.clear();
      this.dayOffset.set(key, off);
    }
    return off;
  }

  private minute(w: WallClock): MinuteInfo {
    const off = this.uniformOffset(w);
    if (off !== null) return { earlier: Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - off * 60_000, later: null };
    const key = `${w.year}-${w.month}-${w.day} ${w.hour}:${w.minute}`;
    let info = this.cache.get(key);
    if (!info) {
      info = computeMinute(w, this.zone);
      if (this.cache.size > 200_000) this.cache.clear();
      this.cache.set(key, info);
    }
    return info;
  }

  resolve(w: WallClock): number {
    const info = this.minute(w);
    const sec = w.second * 1000;
    let t = info.earlier + sec;
    if (info.later !== null && this.prev !== null) {
      const a = info.earlier + sec;
      const b = info.later + sec;
      const fits = (c: number) => (this.direction > 0 ? c >= this.prev! : this.direction < 0 ? c <= this.prev! : true);
      const cands = [a, b].filter(fits);
      const pool = cands.length ? cands : [a, b];
      t = pool.reduce((best, c) => (Math.abs(c - this.prev!) < Math.abs(best - this.prev!) ? c : best));
    }
    if (this.prev !== null && t !== this.prev) this.direction = t > this.prev ? 1 : -1;
    this.prev = t;
    return t;
  }
}

function computeMinute(w: WallClock, zone: string): MinuteInfo {
  const fields = { year: w.year, month: w.month, day: w.day, hour: w.hour, minute: w.minute, second: 0 };
  // Luxon shifts gap times forward; for the overlap it picks one offset, so we test both offsets
  // seen a day either side and keep every one that reproduces the same wall clock.
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  const offsets = new Set<number>();
  for (const probe of [asUtc - 24 * 3600_000, asUtc - 12 * 3600_000, asUtc, asUtc + 12 * 3600_000, asUtc + 24 * 3600_000]) {
    offsets.add(DateTime.fromMillis(probe, { zone }).offset);
  }
  const hits: number[] = [];
  for (const off of offsets) {
    const cand = asUtc - off * 60_000;
    const back = DateTime.fromMillis(cand, { zone });
    if (back.year === w.year && back.month === w.month && back.day === w.day && back.hour === w.hour && back.minute === w.minute) hits.push(cand);
  }
  hits.sort((a, b) => a - b);
  if (hits.length === 0) {
    // In a gap: luxon moves it forward by the gap length.
    return { earlier: DateTime.fromObject(fields, { zone }).toMillis(), later: null };
  }
  return { earlier: hits[0]!, later: hits.length > 1 ? hits[hits.length - 1]! : null };
}

/** Validates calendar fields (no 31 February). */
export function validWall(w: WallClock): boolean {
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.hour > 23 || w.minute > 59 || w.second > 59 || w.year < 1970 || w.year > 2200) return false;
  const dim = new Date(Date.UTC(w.year, w.month, 0)).getUTCDate();
  return w.day <= dim;
}
