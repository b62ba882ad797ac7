import { inflateRawSync } from 'node:zlib';
import { PennyError } from '../../../contract/errors.js';

export const XLSX_MAX_FILE = 50 * 1024 * 1024;
export const XLSX_MAX_UNZIPPED = 200 * 1024 * 1024;

/**
 * Refuses zip bombs before SheetJS sees the file. It reads the central directory, refuses ZIP64
 * and entries whose declared size is absurd, then actually inflates every entry with a hard output
 * cap, because the declared sizes of a hostile file can lie.
 */
export function assertSafeZip(buf: Buffer, file: string): void {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || eocd + 22 > buf.length) throw bad(file, 'the spreadsheet is not a complete ZIP/XLSX file (no end of central directory): it may be truncated');
  const count = buf.readUInt16LE(eocd + 10);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) throw bad(file, 'ZIP64 spreadsheets are not supported');
  if (count > 10_000) throw bad(file, `the spreadsheet holds ${count} parts, more than any real report`);
  let p = cdOffset;
  let budget = XLSX_MAX_UNZIPPED;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw bad(file, 'the spreadsheet’s ZIP directory is damaged');
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const usize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    if (usize > budget) throw bomb(file, name, usize);
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) throw bad(file, `the spreadsheet part ${name} is damaged`);
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (dataStart + csize > buf.length) throw bad(file, `the spreadsheet part ${name} is cut short: the file may be truncated`);
    if (method === 8) {
      let out: Buffer;
      try {
        out = inflateRawSync(buf.subarray(dataStart, dataStart + csize), { maxOutputLength: budget });
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw bomb(file, name, budget);
        throw bad(file, `the spreadsheet part ${name} cannot be decompressed (${(err as Error).message})`);
      }
      budget -= out.length;
    } else if (method === 0) budget -= csize;
    else throw bad(file, `the spreadsheet part ${name} uses an unsupported compression method (${method})`);
    p += 46 + nameLen + extraLen + commentLen;
  }
}

const bad = (file: string, msg: string) => new PennyError('invalid_input', `${file}: ${msg}.`, { file, field: '(file)' });
const bomb = (file: string, part: string, size: number) =>
  new PennyError('invalid_input', `${file}: refusing a ZIP bomb — part ${part} unpacks to more than ${Math.round(size / 1048576)} MB (limit ${XLSX_MAX_UNZIPPED / 1048576} MB for the whole spreadsheet).`, {
    file,
    field: '(file)',
  });
