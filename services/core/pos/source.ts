import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { extname, basename } from 'node:path';
import { PennyError } from '../../contract/errors.js';
import type { ColumnMapping, PosFormat } from '../../contract/commands/pos.js';
import { parseNaxml } from './formats/naxml.js';
import { findHeader, guessMapping, isModisoftHeader, mappingFitsHeaders, MODISOFT_MAPPING, RowMapper } from './formats/mapping.js';
import { readCsv, readSpreadsheet, type TableRow } from './formats/table.js';
import type { WallClockResolver } from './time.js';
import type { ParseItem } from './types.js';

export interface SourceOptions {
  path: string;
  format?: PosFormat;
  /** A resolved mapping (from a preset or given inline) and the preset name, if any. */
  mapping?: { name: string | null; mapping: ColumnMapping };
  defaultRegister: string;
  resolver: WallClockResolver;
  onBytes?(bytes: number): void;
}

export interface OpenedSource {
  format: PosFormat;
  headerRow: number | null;
  headers: string[];
  mapping: ColumnMapping | null;
  mappingName: string | null;
  /** Parse items in batches (a chunk of the file each), so a million rows are not a million awaits. */
  items: AsyncGenerator<ParseItem[]>;
}

type Kind = 'xml' | 'spreadsheet' | 'csv';

function sniff(path: string): Kind {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') throw new PennyError('not_found', `${path}: no such file.`);
    if (code === 'EISDIR') throw new PennyError('invalid_input', `${path}: is a folder, not a report file.`);
    throw new PennyError('invalid_input', `${path}: cannot be opened (${code ?? (err as Error).message}).`);
  }
  const head = Buffer.alloc(512);
  const n = readSync(fd, head, 0, 512, 0);
  closeSync(fd);
  const h = head.subarray(0, n);
  if (n === 0) throw new PennyError('invalid_input', `${path}: the file is empty.`, { field: '(file)' });
  if ((h[0] === 0x50 && h[1] === 0x4b) || (h[0] === 0xd0 && h[1] === 0xcf && h[2] === 0x11 && h[3] === 0xe0)) return 'spreadsheet';
  let text = h.toString('utf8');
  if (h[0] === 0xff && h[1] === 0xfe) text = h.toString('utf16le', 2);
  text = text.replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('<?xml') || /^<[A-Za-z!]/.test(text)) {
    // Some back offices save HTML tables as .xls; SheetJS reads those.
    return /^<(html|table)/i.test(text) ? 'spreadsheet' : 'xml';
  }
  return 'csv';
}

const kindOfFormat = (f: PosFormat, actual: Kind): Kind => (f === 'naxml' ? 'xml' : f === 'xlsx' ? 'spreadsheet' : f === 'csv' ? 'csv' : actual === 'xml' ? 'csv' : actual);

/** Sniffs what the file is and refuses a --format that contradicts it. */
export function checkFormat(path: string, format?: PosFormat): Kind {
  const actual = sniff(path);
  const kind = format ? kindOfFormat(format, actual) : actual;
  if (format && kind !== actual) {
    const what = { xml: 'an XML document', spreadsheet: 'a spreadsheet', csv: 'a text/CSV file' }[actual];
    throw new PennyError('invalid_input', `${path}: --format ${format} was given, but the file is ${what}.`, { field: 'format' });
  }
  return kind;
}

/**
 * Opens a report: detects its kind, finds the header row of a table, settles the mapping
 * (explicit > Modisoft > guessed), and returns the parse items as an async stream.
 */
export async function openSource(o: SourceOptions): Promise<OpenedSource> {
  const kind = checkFormat(o.path, o.format);
  if (kind === 'xml') {
    const { items } = parseNaxml(o.path, o.resolver);
    return { format: 'naxml', headerRow: null, headers: [], mapping: null, mappingName: null, items: inBatches(items) };
  }

  // Tables: read leading rows to find the header, then continue the same stream.
  const rows = new RowCursor(kind === 'spreadsheet' ? inBatches(readSpreadsheet(o.path)) : readCsv(o.path, o.onBytes));
  const lead: TableRow[] = [];
  let headerIdx: number | null = null;
  while (lead.length < 50) {
    const r = await rows.next();
    if (!r) break;
    lead.push(r);
    if (o.mapping?.mapping.headerRow !== undefined) {
      if (r.line >= o.mapping.mapping.headerRow) {
        headerIdx = lead.length - 1;
        break;
      }
    } else if (o.mapping ? mappingFitsHeaders(o.mapping.mapping, r.cells) : findHeader([r]) !== null) {
      headerIdx = lead.length - 1;
      break;
    }
  }
  if (headerIdx === null && o.mapping) {
    await rows.close();
    const cols = Object.entries(o.mapping.mapping.columns).map(([f, c]) => `"${c}" (${f})`).join(', ');
    throw new PennyError('invalid_input', `${o.path}: the mapping${o.mapping.name ? ` "${o.mapping.name}"` : ''} expects column(s) ${cols}, and no row in the first ${lead.length} has them all.`, {
      field: '(mapping)',
    });
  }
  if (headerIdx === null) {
    await rows.close();
    throw new PennyError(
      'invalid_input',
      `${o.path}: no header row found in the first ${lead.length} rows (looked for columns such as date, type, amount, cashier). Give a mapping with the header row, or check the file.`,
      { field: '(header)', row: lead[0]?.line ?? 1 },
    );
  }
  const header = lead[headerIdx]!;
  const headers = header.cells.map((c) => String(c).trim());
  const sample = await rows.next();
  const pending: TableRow[] = sample ? [sample] : [];
  const modisoft = isModisoftHeader(headers);
  let mapping: ColumnMapping | null;
  let mappingName: string | null = null;
  if (o.mapping) {
    mapping = o.mapping.mapping;
    mappingName = o.mapping.name;
  } else if (modisoft) {
    mapping = MODISOFT_MAPPING;
    mappingName = 'modisoft';
  } else mapping = guessMapping(headers, pending[0]?.cells);
  if (!mapping) {
    await rows.close();
    throw new PennyError('invalid_input', `${o.path}: the columns (${headers.slice(0, 12).join(', ')}) could not be matched to date and amount; save a mapping preset for this source and import with it.`, {
      field: '(mapping)',
      row: header.line,
    });
  }
  const missing = Object.entries(mapping.columns).filter(([, c]) => !headers.includes(String(c).trim()));
  if (missing.length) {
    await rows.close();
    throw new PennyError('invalid_input', `${o.path}: the mapping expects column(s) ${missing.map(([f, c]) => `"${c}" (${f})`).join(', ')}, which the header on line ${header.line} does not have.`, {
      field: '(mapping)',
      row: header.line,
    });
  }
  const format: PosFormat = mappingName === 'modisoft' && modisoft ? 'modisoft' : kind === 'spreadsheet' ? 'xlsx' : 'csv';
  const prefix = format === 'modisoft' ? 'modisoft' : `${format}:${mappingName ?? basename(o.path, extname(o.path))}`;
  const mapper = new RowMapper(mapping, headers, o.resolver, prefix, o.defaultRegister);
  async function* items(): AsyncGenerator<ParseItem[]> {
    try {
      for (let batch: TableRow[] | null = [...pending, ...rows.buffered()]; batch; batch = await rows.nextBatch()) {
        const out: ParseItem[] = [];
        for (const r of batch) {
          const it = mapper.map(r);
          if (it) out.push(it);
        }
        if (out.length) yield out;
      }
    } finally {
      await rows.close();
    }
  }
  return { format, headerRow: header.line, headers, mapping, mappingName, items: items() };
}

const BATCH = 2000;

async function* inBatches<T>(arr: T[]): AsyncGenerator<T[]> {
  for (let i = 0; i < arr.length; i += BATCH) yield arr.slice(i, i + BATCH);
}

/** Reads rows one at a time (to find the header), then hands over the rest batch by batch. */
class RowCursor {
  private batch: TableRow[] = [];
  private at = 0;
  constructor(private readonly batches: AsyncGenerator<TableRow[]>) {}

  async next(): Promise<TableRow | undefined> {
    while (this.at >= this.batch.length) {
      const b = await this.nextBatch();
      if (!b) return undefined;
      this.batch = b;
      this.at = 0;
    }
    return this.batch[this.at++];
  }

  /** What is left of the current batch, taken out of the cursor. */
  buffered(): TableRow[] {
    const rest = this.batch.slice(this.at);
    this.batch = [];
    this.at = 0;
    return rest;
  }

  async nextBatch(): Promise<TableRow[] | null> {
    const r = await this.batches.next();
    return r.done ? null : r.value;
  }

  async close(): Promise<void> {
    await this.batches.return(undefined);
  }
}

export const fileSize = (path: string) => statSync(path).size;
