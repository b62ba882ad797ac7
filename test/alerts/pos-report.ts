/**
 * A Modisoft "Sale Transactions" report in the layout of the real export in
 * /work/shared/data/pos/modisoft (5 preamble lines, `$ 0.00` money, minute times), written per test
 * so each file is new to the importer (imports are idempotent by file hash).
 */
export function modisoftReport(opts: { refundCents: number; tranId: number; minute?: number; noSales?: number; day?: string }): string {
  const day = opts.day ?? '7/8/25';
  const mm = String(opts.minute ?? 55).padStart(2, '0');
  const money = (c: number) => `$ ${(c / 100).toFixed(2)}`;
  const rows = [
    'Corner Fuel #12,,,,,,,,,,',
    '"Sale Transactions (Jul 08, 2025 - Jul 08, 2025)",,,,,,,,,,',
    '"Sale Transactions (Jul 08, 2025 - Jul 08, 2025)",,,,,,,,,,',
    ',,,,,,,,,,',
    'Tran Date,Tran Type,Tender,Gross,Discount,Tax,Net,Tip Amount,Online Charges,Cashier Name,Tran ID',
    `${day} 23:${mm},normal,cash,$ 30.99,$ 0.00,$ 0.91,$ 31.90,$ 0.00,,Cashier A,${opts.tranId - 1}`,
    `${day} 23:${mm},return,cash,${money(-opts.refundCents)},$ 0.00,$ 0.00,${money(-opts.refundCents)},$ 0.00,,Cashier A,${opts.tranId}`,
  ];
  for (let i = 0; i < (opts.noSales ?? 0); i++) rows.push(`${day} 22:${String(10 + i).padStart(2, '0')},No Sale,,$ 0.00,$ 0.00,$ 0.00,$ 0.00,$ 0.00,$ 0.00,,`);
  return rows.join('\r\n') + '\r\n';
}

/** Yesterday in the test store's time zone (America/Chicago) as Modisoft writes it (M/D/YY): inside the alert window. */
export function yesterday(now = Date.now()): string {
  const [m, d, y] = new Date(now - 86_400_000).toLocaleDateString('en-US', { timeZone: 'America/Chicago', year: '2-digit', month: 'numeric', day: 'numeric' }).split('/');
  return `${m}/${d}/${y}`;
}
