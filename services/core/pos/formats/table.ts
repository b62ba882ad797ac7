import { createReadStream, openSync, readSync, closeSync, readFileSync, statSync } from 'node:fs';
import * as XLSX from 'xlsx';
import { PennyError } from '../../../contract/errors.js';
import { CsvError, CsvTokenizer } from './csv.js';
import { assertSafeZip, XLSX_MAX_FILE } from './zip-guard.js';

export type Cell = string | number;
export interface TableRow {
  /** 1-based line (CSV) or row (spreadsheet) in the file. */
  line: number;
  cells: Cell[];
}

/** A CSV field larger than this is refused; no POS export has a 1 MB cell. */
export const MAX_FIELD_CHARS = 1024 * 1024;

export function sniffEncoding(path: string): { encoding: 'utf8' | 'utf16le'; skip: number } {
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(4096);
  const n = readSync(fd, head, 0, 4096, 0);
  closeSync(fd);
  const h = head.subarray(0, n);
  if (h[0] === 0xff && h[1] === 0xfe) return { encoding: 'utf16le', skip: 2 };
  if (h[0] === 0xfe && h[1] === 0xff) {
    throw new PennyError('invalid_input', `${path}: the file is UTF-16 big-endian text, which Penny cannot read; save it as UTF-8 (or UTF-16 LE) CSV.`, { field: '(file)' });
  }
  if (h[0] === 0xef && h[1] === 0xbb && h[2] === 0xbf) return { encoding: 'utf8', skip: 3 };
  // UTF-16 LE without a BOM: every other byte of ASCII text is zero.
  let zeros = 0;
  for (let i = 1; i < Math.min(n, 400); i += 2) if (h[i] === 0) zeros++;
  if (n >= 40 && zeros > Math.min(n, 400) / 2 * 0.8) return { encoding: 'utf16le', skip: 0 };
  return { encoding: 'utf8', skip: 0 };
}

/**
 * Streams the records of a CSV file with their line numbers, in batches (one per chunk read), and
 * reports bytes read. Batches keep the per-record cost of async iteration off a million-row file.
 */
export async function* readCsv(path: string, onBytes?: (bytes: number) => void): AsyncGenerator<TableRow[]> {
  const { encoding, skip } = sniffEncoding(path);
  const decoder = new TextDecoder(encoding === 'utf16le' ? 'utf-16le' : 'utf-8');
  const tokenizer = new CsvTokenizer(MAX_FIELD_CHARS);
  const src = createReadStream(path, { start: skip, highWaterMark: 64 * 1024 });
  let bytes = skip;
  try {
    for await (const chunk of src as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      onBytes?.(bytes);
      const out: TableRow[] = [];
      tokenizer.push(decoder.decode(chunk, { stream: true }), out);
      if (out.length) yield out;
    }
    const out: TableRow[] = [];
    tokenizer.push(decoder.decode(), out);
    tokenizer.end(out);
    if (out.length) yield out;
  } catch (err) {
    throw csvError(path, err);
  } finally {
    src.destroy();
  }
}

function csvError(path: string, err: unknown): PennyError {
  if (err instanceof PennyError) return err;
  if (err instanceof CsvError) {
    const message =
      err.kind === 'record_too_large'
        ? `${path} at line ${err.line}: a row is larger than ${MAX_FIELD_CHARS / 1048576} MB, which no POS report has; the file is damaged or not a report.`
        : `${path} at line ${err.line}: a quoted field is never closed (a " without its closing "); the file is cut short or damaged.`;
    return new PennyError('invalid_input', message, { row: err.line, field: '(row)' });
  }
  const e = err as { code?: string; message?: string };
  if (e.code === 'ENOENT') return new PennyError('not_found', `${path}: no such file.`);
  return new PennyError('invalid_input', `${path}: the file cannot be read (${e.message ?? String(err)}).`);
}

/** Reads the first sheet of an XLSX/XLS workbook, after checking it is not a ZIP bomb. */
export function readSpreadsheet(path: string): TableRow[] {
  const size = statSync(path).size;
  if (size > XLSX_MAX_FILE) {
    throw new PennyError('invalid_input', `${path}: the spreadsheet is ${Math.round(size / 1048576)} MB; the limit is ${XLSX_MAX_FILE / 1048576} MB. Export it as CSV instead.`, { field: '(file)' });
  }
  const buf = readFileSync(path);
  if (buf[0] === 0x50 && buf[1] === 0x4b) assertSafeZip(buf, path);
  // SheetJS can throw anything on a damaged workbook; every such failure is the file's fault.
  try {
    const wb = XLSX.read(buf, { type: 'buffer', dense: true, cellDates: false, cellHTML: false, cellFormula: false, sheetRows: 1_100_000 });
    const name = wb.SheetNames[0];
    const sheet = name ? wb.Sheets[name] : undefined;
    if (!sheet) throw new PennyError('invalid_input', `${path}: the spreadsheet has no sheets.`, { field: '(file)' });
    const rows = XLSX.utils.sheet_to_json<unknown[]>(sheet, { header: 1, raw: true, defval: '', blankrows: true });
    const out: TableRow[] = [];
    rows.forEach((r, i) => {
      const cells = (Array.isArray(r) ? r : []).map((c) => (typeof c === 'number' ? c : c == null ? '' : String(c)));
      if (cells.some((c) => c !== '')) out.push({ line: i + 1, cells });
    });
    return out;
  } catch (err) {
    if (err instanceof PennyError) throw err;
    throw new PennyError('invalid_input', `${path}: the spreadsheet cannot be read (${String((err as Error).message ?? err).slice(0, 200)}).`, { field: '(file)' });
  }
}
