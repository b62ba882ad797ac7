import PDFDocument from 'pdfkit';
import type { Report } from '../../contract/commands/reports.js';

const money = (c: number) => `${c < 0 ? '-' : ''}$${(Math.abs(c) / 100).toFixed(2)}`;
/** Quote a CSV cell when needed, and defuse spreadsheet formulas (=, +, -, @ at the start). */
function cell(v: string | number): string {
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
const line = (cells: (string | number)[]) => cells.map(cell).join(',');

/** One CSV with a section per chart, so a spreadsheet shows the same story as the tab. */
export function reportCsv(r: Report, tz: string): string {
  const out: string[] = [];
  out.push(line(['section', 'key', 'value', 'extra', 'extra2']));
  out.push(line(['range', 'since', new Date(r.since).toISOString(), 'until', new Date(r.until).toISOString()]));
  out.push(line(['range', 'timezone', tz, 'bucket', r.bucket]));
  out.push(line(['totals', 'transactions', r.totals.transactions, '', '']));
  out.push(line(['totals', 'exceptions', r.totals.exceptions, '', '']));
  out.push(line(['totals', 'flagged_usd', (r.totals.flaggedCents / 100).toFixed(2), '', '']));
  out.push(line(['totals', 'recovered_usd', (r.totals.recoveredCents / 100).toFixed(2), '', '']));
  for (const t of r.byType) out.push(line(['by_type', t.type, t.count, '', '']));
  for (const s of r.byStatus) out.push(line(['by_status', s.status, s.count, '', '']));
  for (const t of r.trend) out.push(line(['trend', t.period, t.count, t.type, '']));
  for (const e of r.employees) out.push(line(['employee', e.employee, e.exceptions, e.transactions, `${e.rate}% vs ${e.peerRate}%`]));
  for (const h of r.heatmap) out.push(line(['heatmap', h.register, h.count, h.hour, '']));
  for (const l of r.loss) out.push(line(['loss', l.period, (l.flaggedCents / 100).toFixed(2), (l.recoveredCents / 100).toFixed(2), '']));
  return out.join('\r\n') + '\r\n';
}

/** A plain one-to-two page PDF of the same figures (tables, no charts), for printing or e-mailing. */
export function reportPdf(r: Report, storeName: string, tz: string, createdAt: number): Promise<Buffer> {
  return new Promise((done, fail) => {
    const doc = new PDFDocument({ size: 'LETTER', margin: 48, info: { Title: `Penny report — ${storeName}`, Producer: 'Penny', CreationDate: new Date(createdAt) } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => done(Buffer.concat(chunks)));
    doc.on('error', fail);
    const day = (ms: number) => new Date(ms).toLocaleString('en-US', { timeZone: tz, dateStyle: 'medium', timeStyle: 'short' });
    doc.fontSize(18).text(`Exception report — ${storeName}`);
    doc.fontSize(10).fillColor('#444').text(`${day(r.since)} to ${day(r.until)} (${tz}), by ${r.bucket}`).fillColor('#000').moveDown();
    doc.fontSize(12).text(`Transactions: ${r.totals.transactions}    Exceptions: ${r.totals.exceptions}`);
    doc.text(`Loss flagged: ${money(r.totals.flaggedCents)}    Confirmed: ${money(r.totals.confirmedCents)}    Recovered: ${money(r.totals.recoveredCents)}`).moveDown();
    const section = (title: string, rows: string[]) => {
      doc.fontSize(13).text(title).fontSize(10);
      if (!rows.length) doc.fillColor('#666').text('None in this period.').fillColor('#000');
      for (const row of rows) doc.text(row);
      doc.moveDown();
    };
    section('By type', r.byType.map((t) => `${t.type}: ${t.count}`));
    section('By status', r.byStatus.map((s) => `${s.status}: ${s.count}`));
    section('Trend', r.trend.map((t) => `${t.period}  ${t.type}: ${t.count}`));
    section('Employees (exceptions per 100 transactions vs peers)', r.employees.map((e) => `${e.employee}: ${e.exceptions} of ${e.transactions} — ${e.rate} vs ${e.peerRate}`));
    section('Register × hour', r.heatmap.map((h) => `${h.register} ${String(h.hour).padStart(2, '0')}:00 — ${h.count}`));
    section('Loss flagged vs recovered', r.loss.map((l) => `${l.period}: ${money(l.flaggedCents)} flagged, ${money(l.recoveredCents)} recovered`));
    doc.end();
  });
}
