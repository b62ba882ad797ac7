import { DateTime } from 'luxon';

/**
 * A generated day of POS data for the demo store, written in the Modisoft "Sale Transactions"
 * CSV layout (the same header block and columns as the real export) so it goes through the same
 * importer. Deterministic for a given day and register: a seeded generator, no Math.random.
 */

export interface DemoTxn {
  at: DateTime;
  type: 'normal' | 'No Sale' | 'void' | 'Refund';
  tender: string;
  grossCents: number;
  taxCents: number;
  cashier: string;
  tranId: number | null;
}

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const TENDERS = ['cash', 'creditCards', 'debitCards', 'cash', 'debitCards'];

/** Shifts: who works the register when (local hours). */
function cashierAt(hour: number, register: number): string {
  const names = register === 1 ? ['Cashier Ava', 'Cashier Ben', 'Cashier Cruz'] : ['Cashier Dee', 'Cashier Eli', 'Cashier Dee'];
  return names[hour < 14 ? 0 : hour < 20 ? 1 : 2]!;
}

/**
 * One register's day: ordinary sales from 06:00 to 22:00 plus the exceptions a store actually sees
 * (a few No Sales, voids, refunds, one refund over $50, and on register 1 a burst of No Sales).
 */
export function generateDay(day: DateTime, register: number, sales = 120): DemoTxn[] {
  const r = rng(day.year * 1000 + day.ordinal * 10 + register);
  const open = day.set({ hour: 6, minute: 0, second: 0, millisecond: 0 });
  const out: DemoTxn[] = [];
  let tranId = register * 10_000 + 1;
  for (let i = 0; i < sales; i++) {
    const at = open.plus({ minutes: Math.floor(r() * 16 * 60) });
    const gross = 99 + Math.floor(r() * 4500);
    out.push({ at, type: 'normal', tender: TENDERS[Math.floor(r() * TENDERS.length)]!, grossCents: gross, taxCents: Math.round(gross * 0.0825), cashier: cashierAt(at.hour, register), tranId: tranId++ });
  }
  const ex = (h: number, m: number, type: DemoTxn['type'], gross = 0) => {
    const at = day.set({ hour: h, minute: m, second: 0, millisecond: 0 });
    out.push({ at, type, tender: type === 'No Sale' ? '' : 'cash', grossCents: gross, taxCents: type === 'No Sale' ? 0 : Math.round(gross * 0.0825), cashier: cashierAt(h, register), tranId: type === 'No Sale' ? null : tranId++ });
  };
  if (register === 1) {
    ex(7, 42, 'No Sale');
    ex(11, 5, 'void', 1899);
    ex(15, 20, 'Refund', 2499);
    // The pattern users quote: more than 3 No Sales in 5 minutes, late in the evening shift.
    ex(21, 12, 'No Sale');
    ex(21, 13, 'No Sale');
    ex(21, 15, 'No Sale');
    ex(21, 16, 'No Sale');
  } else {
    ex(9, 31, 'No Sale');
    ex(13, 47, 'void', 742);
    ex(17, 58, 'Refund', 6450);
    ex(20, 40, 'void', 3115);
  }
  return out.sort((a, b) => b.at.toMillis() - a.at.toMillis());
}

const money = (c: number) => `$ ${(c / 100).toFixed(2)}`;

/** The Modisoft export layout: store line, two title lines, a blank line, the header, then rows newest first. */
export function modisoftCsv(storeName: string, day: DateTime, txns: DemoTxn[]): string {
  const title = `"Sale Transactions (${day.toFormat('LLL dd, yyyy')} - ${day.toFormat('LLL dd, yyyy')})",,,,,,,,,,`;
  const lines = [`${storeName},,,,,,,,,,`, title, title, ',,,,,,,,,,', 'Tran Date,Tran Type,Tender,Gross,Discount,Tax,Net,Tip Amount,Online Charges,Cashier Name,Tran ID'];
  for (const t of txns) {
    const zero = t.type === 'No Sale';
    lines.push(
      [
        t.at.toFormat('M/d/yy H:mm'),
        t.type,
        t.tender,
        money(t.grossCents),
        money(0),
        money(t.taxCents),
        money(t.grossCents + t.taxCents),
        money(0),
        zero ? money(0) : '',
        t.cashier,
        t.tranId ?? '',
      ].join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
