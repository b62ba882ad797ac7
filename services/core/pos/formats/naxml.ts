import { readFileSync, statSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PennyError } from '../../../contract/errors.js';
import type { TxnType } from '../../../contract/commands/pos.js';
import { parseCents } from '../money.js';
import { validWall, wallIso, type WallClock, type WallClockResolver } from '../time.js';
import type { ParseItem, ParsedLine, ParsedTender, ParsedTxn } from '../types.js';

export const NAXML_MAX_FILE = 200 * 1024 * 1024;
const ROOT = 'NAXML-POSJournal';

type Node = Record<string, unknown>;

/**
 * Reads a NAXML-POSJournal 3.x document (Gilbarco Passport, Verifone, Bulloch back offices).
 * Namespace prefixes are dropped; entity expansion is off, and a document that declares a DOCTYPE or
 * entities is refused outright (NAXML never needs one; it is how billion-laughs attacks arrive).
 */
export function parseNaxml(path: string, resolver: WallClockResolver): { items: ParseItem[]; rows: number } {
  const size = statSync(path).size;
  if (size > NAXML_MAX_FILE) throw bad(path, `the XML is ${Math.round(size / 1048576)} MB; the limit is ${NAXML_MAX_FILE / 1048576} MB`);
  const raw = readFileSync(path);
  let xml: string;
  if (raw[0] === 0xff && raw[1] === 0xfe) xml = raw.toString('utf16le', 2);
  else if (raw[0] === 0xfe && raw[1] === 0xff) throw bad(path, 'UTF-16 big-endian XML is not supported; save it as UTF-8');
  else xml = raw.toString('utf8', raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? 3 : 0);
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw bad(path, 'the XML declares a DOCTYPE or entities, which NAXML never uses; refusing it (entity expansion is disabled, e.g. against "billion laughs")');
  }
  const valid = XMLValidator.validate(xml, { allowBooleanAttributes: true });
  if (valid !== true) {
    throw new PennyError('invalid_input', `${path}: not well-formed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`, {
      row: `line ${valid.err.line}`,
      field: '(xml)',
    });
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix: true,
    processEntities: false,
    htmlEntities: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name, jpath) =>
      (typeof jpath === 'string' && /\.JournalReport\.[A-Za-z]+Event$/.test(jpath)) ||
      ['TransactionLine', 'ItemTax', 'TenderInfo', 'TransactionTax', 'JournalReport'].includes(name),
  });
  const doc = parser.parse(xml) as Node;
  const root = doc[ROOT] as Node | undefined;
  if (!root) {
    const found = Object.keys(doc).filter((k) => !k.startsWith('?'))[0] ?? 'nothing';
    throw bad(path, `this is not a NAXML-POSJournal document (root element is ${found})`);
  }
  const version = attr(root, 'version');
  if (!/^3\.\d+/.test(version)) throw bad(path, `NAXML-POSJournal version "${version || 'missing'}" is not supported (3.x only)`);
  const storeId = txt(get(root, 'TransmissionHeader', 'StoreLocationID')) || 'store';

  const events: { name: string; path: string; node: Node; seq: number; order: number }[] = [];
  const reports = (root.JournalReport as Node[] | undefined) ?? [];
  reports.forEach((rep, ri) => {
    for (const [name, list] of Object.entries(rep)) {
      if (!name.endsWith('Event') || !Array.isArray(list)) continue;
      list.forEach((node: Node, i: number) => {
        const seq = Number(txt(node.EventSequenceID));
        events.push({ name, path: `/${ROOT}/JournalReport[${ri + 1}]/${name}[${i + 1}]`, node, seq: Number.isFinite(seq) ? seq : Infinity, order: events.length });
      });
    }
  });
  // Journal order is sequence order; it also lets the clock resolver place autumn-back times.
  events.sort((a, b) => a.seq - b.seq || a.order - b.order);
  const items: ParseItem[] = events.map((e) => {
    try {
      return { ok: true as const, txn: toTxn(e.name, e.node, storeId, resolver) };
    } catch (err) {
      if (err instanceof FieldError) return { ok: false as const, rejection: { row: e.path, field: err.field, message: err.message } };
      throw err;
    }
  });
  return { items, rows: events.length };
}

class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const bad = (path: string, msg: string) => new PennyError('invalid_input', `${path}: ${msg}.`, { field: '(file)' });

function get(n: unknown, ...keys: string[]): unknown {
  let cur = n;
  for (const k of keys) {
    if (cur == null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? (cur[0] as Node | undefined)?.[k] : (cur as Node)[k];
  }
  return cur;
}
function txt(n: unknown): string {
  if (n == null) return '';
  if (typeof n === 'string' || typeof n === 'number') return decode(String(n)).trim();
  if (Array.isArray(n)) return txt(n[0]);
  if (typeof n === 'object') return txt((n as Node)['#text']);
  return '';
}
const attr = (n: unknown, name: string) => (n && typeof n === 'object' && !Array.isArray(n) ? String((n as Node)['@_' + name] ?? '') : '');
const flag = (n: unknown) => attr(n, 'value').toLowerCase() === 'yes';

function decode(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, e: string) => {
    const k = e.toLowerCase();
    if (k === 'amp') return '&';
    if (k === 'lt') return '<';
    if (k === 'gt') return '>';
    if (k === 'quot') return '"';
    if (k === 'apos') return "'";
    const code = k.startsWith('#x') ? parseInt(k.slice(2), 16) : parseInt(k.slice(1), 10);
    return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : '';
  });
}

function money(n: unknown, field: string): number {
  const s = txt(n);
  if (s === '') return 0;
  const c = parseCents(s);
  if (c === null) throw new FieldError(field, `not an amount: "${s.slice(0, 40)}"`);
  return c;
}

function wall(date: string, time: string, field: string): WallClock {
  const d = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  const t = /^(\d{2}):(\d{2})(?::(\d{2}))?/.exec(time || '00:00:00');
  if (!d || !t) throw new FieldError(field, date ? `not a date/time: "${date} ${time}"` : 'the event date is missing');
  const w = { year: +d[1]!, month: +d[2]!, day: +d[3]!, hour: +t[1]!, minute: +t[2]!, second: t[3] ? +t[3] : 0 };
  if (!validWall(w)) throw new FieldError(field, `not a valid date/time: "${date} ${time}"`);
  return w;
}

const last4 = (acct: string) => {
  const digits = acct.replace(/\D/g, '');
  return digits.length >= 4 ? digits.slice(-4) : null;
};

function tenderOf(ti: Node, field: string): ParsedTender {
  const acct = txt(get(ti, 'Authorization', 'CardInfo', 'AccountID'));
  const sub = txt(get(ti, 'Tender', 'TenderSubCode'));
  const l4 = acct ? last4(acct) : null;
  return {
    code: txt(get(ti, 'Tender', 'TenderCode')) || 'unknown',
    subCode: sub,
    amountCents: money(ti.TenderAmount, `${field}/TenderAmount`),
    card: l4 ? `${sub || 'card'} *${l4}` : null,
  };
}

const LINE_KINDS: Record<string, string> = {
  ItemLine: 'item',
  FuelLine: 'fuel',
  FuelPrepayLine: 'fuel_prepay',
  FeeLine: 'fee',
  WashCodeLine: 'wash_code',
  MerchandiseCodeLine: 'merchandise',
};

function toTxn(name: string, e: Node, storeId: string, resolver: WallClockResolver): ParsedTxn {
  const cashier = txt(e.CashierID) || null;
  const register = txt(e.RegisterID) || null;
  const txnId = txt(e.TransactionID);
  const seq = txt(e.EventSequenceID);
  const sd = txt(e.EventStartDate) || txt(e.ReceiptDate) || txt(e.BusinessDate);
  const st = txt(e.EventStartTime) || txt(e.ReceiptTime);
  const start = wall(sd, st, 'EventStartDate');
  const startedAt = resolver.resolve(start);
  let endedAt: number | null = null;
  const ed = txt(e.EventEndDate);
  if (ed) {
    const ew = wall(ed, txt(e.EventEndTime), 'EventEndDate');
    // The end is resolved relative to the start, so a shift spanning the autumn-back hour stays in order.
    endedAt = Math.max(startedAt, Date.UTC(ew.year, ew.month - 1, ew.day, ew.hour, ew.minute, ew.second) - Date.UTC(start.year, start.month - 1, start.day, start.hour, start.minute, start.second) + startedAt);
  }
  const flags = new Set<string>();
  if (flag(e.TrainingModeFlag)) flags.add('training');
  if (flag(e.OutsideSalesFlag)) flags.add('outside');
  if (flag(e.OfflineFlag)) flags.add('offline');
  const lines: ParsedLine[] = [];
  const tenders: ParsedTender[] = [];
  let type: TxnType = 'other';
  let rawType = name;
  let amount = 0;
  let tax = 0;
  let discount = 0;

  if (name === 'SaleEvent' || name === 'RefundEvent' || name === 'VoidEvent') {
    const tl = (get(e, 'TransactionDetailGroup', 'TransactionLine') as Node[] | undefined) ?? [];
    let goods = 0;
    let voided = 0;
    let cancelled = 0;
    let prepayLink = false;
    tl.forEach((line, i) => {
      const where = `TransactionLine[${i + 1}]`;
      const status = (attr(line, 'status') || 'normal').toLowerCase();
      const approver = attr(line, 'approverID') || null;
      if (approver && cashier && approver !== cashier) flags.add('override');
      for (const ti of (line.TenderInfo as Node[] | undefined) ?? []) tenders.push(tenderOf(ti, where));
      for (const [k, kind] of Object.entries(LINE_KINDS)) {
        const l = line[k] as Node | undefined;
        if (!l) continue;
        goods++;
        if (status === 'void') voided++;
        if (status === 'cancel') cancelled++;
        if (l.Discount) flags.add('manual_discount');
        if (l.PriceOverride || flag(l.PriceOverrideFlag)) flags.add('price_override');
        if (k === 'FuelPrepayLine' && l.LinkedTransactionInfo) prepayLink = true;
        const amt = money(l.SalesAmount ?? l.FeeAmount ?? l.Amount, `${where}/${k}/SalesAmount`);
        const d = l.Discount ? money(get(l, 'Discount', 'DiscountAmount'), `${where}/${k}/Discount`) : 0;
        discount += d;
        const q = Number(txt(l.SalesQuantity));
        lines.push({
          // One NAXML line can hold an item and its deposit fee, so lines are numbered here.
          seq: lines.length + 1,
          kind,
          description: (txt(l.Description) || txt(l.FeeID) || txt(l.WashCodeDescription) || txt(get(l, 'ItemCode', 'POSCode'))).slice(0, 500),
          quantity: txt(l.SalesQuantity) !== '' && Number.isFinite(q) ? q : null,
          amountCents: amt,
          status,
          approver,
        });
      }
      if (status === 'void') flags.add('line_void');
      if (status === 'cancel') flags.add('line_cancel');
    });
    amount = money(get(e, 'TransactionSummary', 'TransactionTotalGrandAmount'), 'TransactionSummary/TransactionTotalGrandAmount');
    tax = money(get(e, 'TransactionSummary', 'TransactionTotalTaxNetAmount'), 'TransactionSummary/TransactionTotalTaxNetAmount');
    if (name === 'RefundEvent') type = 'refund';
    else if (name === 'VoidEvent') type = 'void';
    else if (flag(e.SuspendFlag)) type = 'suspend';
    else if (goods > 0 && voided === goods) type = 'void';
    else if (goods > 0 && cancelled === goods) type = 'cancel';
    else if (amount < 0) {
      type = 'refund';
      if (prepayLink) {
        flags.add('prepay_change');
        rawType = 'SaleEvent/prepay change';
      }
    } else type = 'sale';
    if (type === 'void' && voided === goods) flags.delete('line_void');
    if (type === 'cancel') flags.delete('line_cancel');
  } else if (name === 'FinancialEvent') {
    const detail = e.FinancialEventDetail as Node | undefined;
    const kind = detail ? Object.keys(detail).find((k) => !k.startsWith('@_') && k !== '#text') ?? '' : '';
    rawType = `FinancialEvent/${kind || 'unknown'}`;
    const k = kind.toLowerCase();
    type = k.includes('safedrop') ? 'safe_drop' : k.includes('payout') ? 'payout' : k.includes('payin') || k.includes('loan') ? 'paid_in' : 'other';
    const d = (detail?.[kind] as Node | undefined) ?? {};
    for (const ti of (d.TenderInfo as Node[] | undefined) ?? []) tenders.push(tenderOf(ti, `FinancialEventDetail/${kind}`));
    const amtKey = Object.keys(d).find((x) => x.endsWith('Amount'));
    amount = amtKey ? money(d[amtKey], `FinancialEventDetail/${kind}/${amtKey}`) : tenders.reduce((s, t) => s + t.amountCents, 0);
  } else {
    const detailKey = Object.keys(e).find((k) => k.endsWith('Detail'));
    const dt = detailKey ? attr(e[detailKey], 'detailType') : '';
    rawType = `${name}${detailKey ? '/' + detailKey : ''}${dt ? ':' + dt : ''}`;
    const k = (detailKey ?? '').toLowerCase();
    type = k.includes('nosale') || k.includes('draweropen') ? 'no_sale' : 'other';
  }

  const card = tenders.find((t) => t.card)?.card ?? null;
  const id = txnId && txnId !== '0' ? txnId : `seq${seq}`;
  return {
    naturalKey: `naxml|${storeId}|${register ?? ''}|${name}|${id}|${wallIso(start)}`,
    externalId: txnId && txnId !== '0' ? txnId : seq || null,
    register,
    employee: cashier,
    type,
    rawType,
    wallTime: wallIso(start),
    startedAt,
    endedAt,
    amountCents: amount,
    taxCents: tax,
    discountCents: discount,
    card,
    flags: [...flags],
    lines,
    tenders,
  };
}
