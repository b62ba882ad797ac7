import type { ColumnMapping, MAPPING_FIELDS, TxnType } from '../../../contract/commands/pos.js';
import { parseCents } from '../money.js';
import { normalizeKey, normalizeType } from '../types-map.js';
import { validWall, wallIso, type WallClock, type WallClockResolver } from '../time.js';
import type { ParseItem, ParsedTxn } from '../types.js';
import type { Cell, TableRow } from './table.js';

type Field = (typeof MAPPING_FIELDS)[number];

/** Header synonyms per field, best first. Compared after lower-casing and collapsing spaces. */
const SYNONYMS: Record<Field, string[]> = {
  datetime: ['tran date', 'transaction date', 'date time', 'datetime', 'date/time', 'date & time', 'timestamp', 'time stamp', 'txn date', 'sale date', 'date'],
  date: ['business date', 'date', 'tran date', 'transaction date', 'sale date', 'txn date'],
  time: ['time', 'tran time', 'transaction time', 'txn time', 'sale time'],
  type: ['tran type', 'transaction type', 'txn type', 'type', 'event', 'event type', 'kind', 'action'],
  amount: ['net', 'net amount', 'total', 'total amount', 'grand total', 'amount', 'sale amount', 'tran amount', 'transaction total', 'net sales'],
  tax: ['tax', 'tax amount', 'sales tax'],
  discount: ['discount', 'discounts', 'discount amount'],
  register: ['register', 'register id', 'register #', 'register number', 'reg', 'reg #', 'terminal', 'terminal id', 'pos', 'lane', 'till', 'workstation'],
  employee: ['cashier', 'cashier name', 'cashier id', 'employee', 'employee id', 'employee name', 'clerk', 'operator', 'user', 'staff'],
  transactionId: ['tran id', 'transaction id', 'txn id', 'transaction #', 'trans #', 'transaction number', 'receipt', 'receipt #', 'receipt number', 'ticket', 'ticket #', 'invoice', 'invoice #'],
  tender: ['tender', 'tender type', 'payment', 'payment type', 'payment method', 'mop', 'method of payment'],
  description: ['description', 'item', 'memo', 'note', 'reason'],
};

const headerKey = (c: Cell) => normalizeKey(String(c)).replace(/[.:]$/, '');

function scoreRow(cells: Cell[]): number {
  const keys = new Set(cells.map(headerKey));
  let score = 0;
  for (const f of Object.keys(SYNONYMS) as Field[]) if (SYNONYMS[f].some((s) => keys.has(s))) score++;
  return score;
}

/** The header row is the first of the leading rows that names at least three known fields. */
export function findHeader(rows: TableRow[]): number | null {
  for (let i = 0; i < rows.length && i < 50; i++) if (scoreRow(rows[i]!.cells) >= 3) return i;
  return null;
}

/** Guesses a mapping from the header names (and one sample row to tell a date from a date+time). */
export function guessMapping(headers: Cell[], sample?: Cell[]): ColumnMapping | null {
  const keys = headers.map(headerKey);
  const used = new Set<number>();
  const columns: Partial<Record<Field, string>> = {};
  const order: Field[] = ['transactionId', 'type', 'time', 'datetime', 'amount', 'tax', 'discount', 'register', 'employee', 'tender', 'description'];
  for (const f of order) {
    for (const syn of SYNONYMS[f]) {
      const idx = keys.findIndex((k, i) => k === syn && !used.has(i));
      if (idx >= 0) {
        used.add(idx);
        columns[f] = String(headers[idx]);
        break;
      }
    }
  }
  if (!columns.datetime) {
    const idx = keys.findIndex((k, i) => SYNONYMS.date.includes(k) && !used.has(i));
    if (idx >= 0) {
      used.add(idx);
      columns.datetime = String(headers[idx]);
    }
  }
  // A "date" column whose values carry no time is a date; then look for a separate time column.
  if (columns.datetime) {
    const idx = headers.findIndex((h) => String(h) === columns.datetime);
    const v = sample?.[idx];
    const hasTime = typeof v === 'number' ? v % 1 !== 0 : v === undefined || /\d:\d/.test(String(v));
    if (!hasTime || columns.time) {
      columns.date = columns.datetime;
      delete columns.datetime;
    }
  }
  if (!columns.amount || (!columns.datetime && !columns.date)) return null;
  return { columns, dateOrder: 'MDY', defaultType: 'sale', typeMap: {} };
}

export function mappingFitsHeaders(m: ColumnMapping, headers: Cell[]): boolean {
  const hs = new Set(headers.map((h) => String(h).trim()));
  return Object.values(m.columns).every((c) => hs.has(String(c).trim()));
}

/** Modisoft's "Sale Transactions" export: a preset over the generic table reader. */
export const MODISOFT_MAPPING: ColumnMapping = {
  columns: {
    datetime: 'Tran Date',
    type: 'Tran Type',
    tender: 'Tender',
    amount: 'Net',
    tax: 'Tax',
    discount: 'Discount',
    employee: 'Cashier Name',
    transactionId: 'Tran ID',
  },
  dateOrder: 'MDY',
  defaultType: 'sale',
  typeMap: {},
};
export const isModisoftHeader = (headers: Cell[]) => mappingFitsHeaders(MODISOFT_MAPPING, headers) && headers.map(headerKey).includes('gross');

const DATE_RE = /^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp][Mm])?)?\s*$/;
const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp][Mm])?$/;

/** Reads a date (and optional time) cell into wall-clock fields, or null. Excel serial numbers are accepted. */
export function parseWall(v: Cell, order: 'MDY' | 'DMY' | 'YMD', timeCell?: Cell): WallClock | null {
  let w: WallClock | null = null;
  if (typeof v === 'number') w = fromSerial(v);
  else {
    const m = DATE_RE.exec(v.trim());
    if (!m) return null;
    const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
    let year: number, month: number, day: number;
    if (m[1]!.length === 4 || order === 'YMD') [year, month, day] = [a, b, c];
    else if (order === 'DMY') [day, month, year] = [a, b, c];
    else [month, day, year] = [a, b, c];
    if (year < 100) year += 2000;
    let hour = m[4] ? Number(m[4]) : 0;
    const minute = m[5] ? Number(m[5]) : 0;
    const second = m[6] ? Number(m[6]) : 0;
    if (m[7]) {
      if (hour < 1 || hour > 12) return null;
      hour = (hour % 12) + (/p/i.test(m[7]) ? 12 : 0);
    }
    w = { year, month, day, hour, minute, second };
  }
  if (w && timeCell !== undefined && timeCell !== '') {
    if (typeof timeCell === 'number') {
      const secs = Math.round((timeCell % 1) * 86400);
      w = { ...w, hour: Math.floor(secs / 3600), minute: Math.floor(secs / 60) % 60, second: secs % 60 };
    } else {
      const t = TIME_RE.exec(timeCell.trim());
      if (!t) return null;
      let hour = Number(t[1]);
      if (t[4]) {
        if (hour < 1 || hour > 12) return null;
        hour = (hour % 12) + (/p/i.test(t[4]) ? 12 : 0);
      }
      w = { ...w, hour, minute: Number(t[2]), second: t[3] ? Number(t[3]) : 0 };
    }
  }
  return w && validWall(w) ? w : null;
}

function fromSerial(n: number): WallClock | null {
  if (!Number.isFinite(n) || n < 25569 || n > 120000) return null;
  const ms = Math.round((n - 25569) * 86400) * 1000;
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
}

const cellCents = (v: Cell | undefined): number | null => (v === undefined ? 0 : typeof v === 'number' ? (Number.isFinite(v) ? Math.round(v * 100) : null) : parseCents(v));
const text = (v: Cell | undefined) => (v === undefined ? '' : String(v).trim());

/**
 * Turns table rows into transactions under one mapping. Column indexes are resolved once; each row
 * either becomes a transaction or a rejection naming the line and field.
 */
export class RowMapper {
  private idx: Partial<Record<Field, number>> = {};
  private occurrences = new Map<string, number>();
  constructor(
    private readonly mapping: ColumnMapping,
    headers: Cell[],
    private readonly resolver: WallClockResolver,
    private readonly keyPrefix: string,
    private readonly defaultRegister: string,
  ) {
    const hs = headers.map((h) => String(h).trim());
    for (const [f, name] of Object.entries(mapping.columns) as [Field, string][]) {
      const i = hs.indexOf(name.trim());
      if (i < 0) throw new Error(`column "${name}" (${f}) is not in the header`);
      this.idx[f] = i;
    }
  }

  private cell(row: Cell[], f: Field): Cell | undefined {
    const i = this.idx[f];
    return i === undefined ? undefined : row[i];
  }

  /** The last date cell read and what it became: rows of one minute share it, so most rows skip parsing. */
  private lastDate: { dv: Cell; tv: Cell | undefined; wallTime: string; startedAt: number } | null = null;
  private types = new Map<string, TxnType>();

  private typeOf(raw: string): TxnType {
    let t = this.types.get(raw);
    if (t === undefined) {
      t = raw ? normalizeType(raw, this.mapping.typeMap, this.mapping.defaultType) : this.mapping.defaultType;
      if (this.types.size < 1000) this.types.set(raw, t);
    }
    return t;
  }

  map(row: TableRow): ParseItem | null {
    const c = row.cells;
    if (c.every((x) => x === '' || x === undefined)) return null;
    const reject = (field: string, message: string): ParseItem => ({ ok: false, rejection: { row: row.line, field, message } });
    const dateField: Field = this.mapping.columns.datetime ? 'datetime' : 'date';
    const dv = this.cell(c, dateField);
    if (dv === undefined || dv === '') return reject(this.mapping.columns[dateField]!, 'the date is missing');
    const tv = this.mapping.columns.time ? this.cell(c, 'time') : undefined;
    let when = this.lastDate;
    if (!when || when.dv !== dv || when.tv !== tv) {
      const wall = parseWall(dv, this.mapping.dateOrder, tv);
      if (!wall) return reject(this.mapping.columns[dateField]!, `not a date/time: "${String(dv).slice(0, 60)}"`);
      when = this.lastDate = { dv, tv, wallTime: wallIso(wall), startedAt: this.resolver.resolve(wall) };
    }
    const av = this.cell(c, 'amount');
    if (av === undefined) return reject(this.mapping.columns.amount!, 'the amount is missing');
    const amount = cellCents(av);
    if (amount === null) return reject(this.mapping.columns.amount!, `not an amount: "${String(av).slice(0, 60)}"`);
    const tax = cellCents(this.cell(c, 'tax'));
    if (tax === null) return reject(this.mapping.columns.tax!, `not an amount: "${String(this.cell(c, 'tax')).slice(0, 60)}"`);
    const discount = cellCents(this.cell(c, 'discount'));
    if (discount === null) return reject(this.mapping.columns.discount!, `not an amount: "${String(this.cell(c, 'discount')).slice(0, 60)}"`);
    const rawType = this.mapping.columns.type ? text(this.cell(c, 'type')) : '';
    if (this.mapping.columns.type && this.cell(c, 'type') === undefined) return reject(this.mapping.columns.type, 'the type is missing (row cut short)');
    const type = this.typeOf(rawType);
    const registerCell = this.mapping.columns.register ? text(this.cell(c, 'register')) : '';
    const register = registerCell || this.defaultRegister;
    const employee = text(this.cell(c, 'employee')) || null;
    const tranId = text(this.cell(c, 'transactionId')) || null;
    const tender = text(this.cell(c, 'tender'));
    const { wallTime, startedAt } = when;
    // The register is part of the key only when it comes from the file, so re-importing a
    // Modisoft day under another default register still finds the earlier rows.
    const regKey = registerCell ? `${registerCell}|` : '';
    let naturalKey: string;
    if (tranId) naturalKey = `${this.keyPrefix}|${regKey}id:${tranId}|${wallTime}`;
    else {
      const base = `${this.keyPrefix}|${regKey}${wallTime}|${rawType}|${employee ?? ''}|${amount}`;
      const n = (this.occurrences.get(base) ?? 0) + 1;
      this.occurrences.set(base, n);
      naturalKey = `${base}#${n}`;
    }
    const txn: ParsedTxn = {
      naturalKey,
      externalId: tranId,
      register,
      registerIsDefault: !registerCell,
      employee,
      type,
      rawType: rawType || this.mapping.defaultType,
      wallTime,
      startedAt,
      endedAt: null,
      amountCents: amount,
      taxCents: tax,
      discountCents: discount,
      card: null,
      flags: [],
      lines: this.mapping.columns.description && text(this.cell(c, 'description'))
        ? [{ seq: 1, kind: 'item', description: text(this.cell(c, 'description')).slice(0, 500), quantity: null, amountCents: amount, status: 'normal', approver: null }]
        : [],
      tenders: tender ? [{ code: tender.slice(0, 60), subCode: '', amountCents: amount, card: null }] : [],
    };
    return { ok: true, txn };
  }
}
