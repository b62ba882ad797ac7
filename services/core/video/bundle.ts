import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import PDFDocument from 'pdfkit';
import yazl from 'yazl';
import { DateTime } from 'luxon';
import { PennyError } from '../../contract/errors.js';
import type { AppDeps } from '../app.js';
import type { Actor } from '../context.js';
import { sha256File } from './cutter.js';
import { relPath } from './clip-queue.js';
import { resolveMedia } from './segments.js';

/**
 * The evidence bundle: clips, receipt, notes, a one-page summary PDF and manifest.json with the
 * SHA-256 of every other file. Each clip is re-hashed first; a clip whose file no longer matches
 * the hash taken at its creation is refused rather than exported. The cases domain calls
 * buildEvidenceBundle from its own export.
 */

export interface BundleInput {
  clipIds: number[];
  title: string;
  receipt: { at?: number; text: string }[];
  notes: { at: number; author: string; text: string }[];
  summary: Record<string, string>;
}

export interface BundleResult {
  path: string;
  sha256: string;
  bytes: number;
  files: { name: string; sha256: string; bytes: number }[];
}

interface ClipRow {
  id: number;
  camera_id: number | null;
  path: string;
  thumb_path: string | null;
  sha256: string;
  start_ms: number;
  end_ms: number;
  event_type: string;
  missing: string;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function summaryPdf(input: BundleInput, clips: ClipRow[], zone: string, storeName: string, createdAt: number, thumb: string | null): Promise<Buffer> {
  return new Promise((resolvePdf, reject) => {
    // Fixed dates keep the PDF bytes a function of the case, not of the moment it was written.
    const doc = new PDFDocument({ size: 'LETTER', margin: 48, info: { Title: input.title, Producer: 'Penny', CreationDate: new Date(createdAt) } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolvePdf(Buffer.concat(chunks)));
    doc.on('error', reject);
    const t = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat('yyyy-LL-dd HH:mm:ss');
    doc.fontSize(18).text(input.title, { width: 516 });
    doc.moveDown(0.3).fontSize(9).fillColor('#555').text(`${storeName} · exported ${t(createdAt)} (${zone})`);
    doc.fillColor('#000').moveDown(0.6);
    if (thumb) {
      try {
        doc.image(thumb, { fit: [200, 150] });
        doc.moveDown(0.4);
      } catch {
        // A thumbnail is a convenience; the summary stands without it.
      }
    }
    for (const [k, v] of Object.entries(input.summary).slice(0, 12)) doc.fontSize(10).text(`${k}: ${v}`, { width: 516 });
    doc.moveDown(0.5).fontSize(12).text(`Clips (${clips.length})`);
    for (const c of clips.slice(0, 8)) {
      const missing = (JSON.parse(c.missing) as unknown[]).length;
      doc.fontSize(8).text(`${basename(c.path)}  ${t(c.start_ms)}–${t(c.end_ms).slice(11)}  sha256 ${c.sha256.slice(0, 16)}…${missing ? '  (window not fully recorded)' : ''}`);
    }
    doc.moveDown(0.5).fontSize(12).text(`Receipt (${input.receipt.length} lines)`);
    for (const l of input.receipt.slice(0, 14)) doc.fontSize(8).text(`${l.at !== undefined ? t(l.at).slice(11) + '  ' : ''}${l.text}`, { width: 516 });
    if (input.receipt.length > 14) doc.fontSize(8).text(`… ${input.receipt.length - 14} more in receipt.txt`);
    doc.moveDown(0.5).fontSize(12).text(`Notes (${input.notes.length})`);
    for (const n of input.notes.slice(0, 4)) doc.fontSize(8).text(`${t(n.at)} ${n.author}: ${n.text.slice(0, 200)}`, { width: 516 });
    doc.moveDown(0.5).fontSize(7).fillColor('#555').text('Every file in this bundle is listed with its SHA-256 in manifest.json.');
    doc.end();
  });
}

export async function buildEvidenceBundle(d: AppDeps, input: BundleInput, actor: Actor, zone: string): Promise<BundleResult> {
  const clips: ClipRow[] = [];
  for (const id of input.clipIds) {
    const c = d.db.prepare('SELECT * FROM clip WHERE id = ?').get(id) as ClipRow | undefined;
    if (!c) throw new PennyError('not_found', `There is no clip with id ${id}.`, { field: 'clipIds' });
    const abs = resolveMedia(d.dataDir, c.path);
    if (!existsSync(abs)) throw new PennyError('conflict', `Clip ${id} is missing its file (${c.path}); it cannot be exported.`, { clipId: id });
    const now = await sha256File(abs);
    if (now !== c.sha256) throw new PennyError('conflict', `Clip ${id} no longer matches the hash taken when it was cut; it cannot be exported.`, { clipId: id });
    clips.push(c);
  }
  const createdAt = d.clock.now();
  const store = d.db.prepare('SELECT name FROM store WHERE id = 1').get() as { name: string } | undefined;
  const firstThumb = clips.map((c) => c.thumb_path && resolveMedia(d.dataDir, c.thumb_path)).find((p) => p && existsSync(p)) ?? null;

  const t = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat('yyyy-LL-dd HH:mm:ss');
  const receiptTxt = Buffer.from(input.receipt.map((l) => `${l.at !== undefined ? t(l.at) + '  ' : ''}${l.text}`).join('\n') + '\n');
  const notesTxt = Buffer.from(input.notes.map((n) => `[${t(n.at)}] ${n.author}\n${n.text}\n`).join('\n'));
  const pdf = await summaryPdf(input, clips, zone, store?.name ?? '', createdAt, firstThumb);

  const files: BundleResult['files'] = [];
  const zip = new yazl.ZipFile();
  const mtime = new Date(createdAt);
  const seen = new Set<string>();
  for (const c of clips) {
    let name = `clips/${basename(c.path)}`;
    for (let i = 2; seen.has(name); i++) name = `clips/${i}_${basename(c.path)}`;
    seen.add(name);
    const abs = resolveMedia(d.dataDir, c.path);
    zip.addFile(abs, name, { mtime, compress: false });
    files.push({ name, sha256: c.sha256, bytes: (await stat(abs)).size });
  }
  for (const [name, buf] of [
    ['receipt.txt', receiptTxt],
    ['receipt.json', Buffer.from(JSON.stringify(input.receipt, null, 2))],
    ['notes.txt', notesTxt],
    ['summary.pdf', pdf],
  ] as const) {
    zip.addBuffer(buf, name, { mtime });
    files.push({ name, sha256: sha(buf), bytes: buf.length });
  }
  const manifest = {
    format: 'penny-evidence-bundle/1',
    title: input.title,
    store: store?.name ?? null,
    createdAt: new Date(createdAt).toISOString(),
    clips: clips.map((c) => ({ id: c.id, file: files.find((f) => f.sha256 === c.sha256)?.name, sha256: c.sha256, start: c.start_ms, end: c.end_ms, cameraId: c.camera_id })),
    files,
  };
  zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2)), 'manifest.json', { mtime });
  zip.end();

  const dir = join(d.dataDir, 'exports');
  await mkdir(dir, { recursive: true });
  const stamp = new Date(createdAt).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  let final = join(dir, `evidence_${stamp}.zip`);
  for (let i = 2; existsSync(final); i++) final = join(dir, `evidence_${stamp}_${i}.zip`);
  const tmp = `${final}.part`;
  try {
    await new Promise<void>((res, rej) => {
      const out = createWriteStream(tmp);
      zip.outputStream.on('error', rej).pipe(out).on('error', rej).on('close', () => res());
    });
    const zipSha = await sha256File(tmp);
    const bytes = (await stat(tmp)).size;
    await rename(tmp, final);
    const path = relPath(d.dataDir, final);
    d.audit(actor, { action: 'evidence.export', entity: 'clip', entityId: input.clipIds.join(','), details: { path, sha256: zipSha, clipIds: input.clipIds, files: files.length } });
    return { path, sha256: zipSha, bytes, files };
  } finally {
    await rm(tmp, { force: true });
  }
}
