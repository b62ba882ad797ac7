import { DateTime } from 'luxon';
import type { Case } from '../../contract/commands/cases.js';
import type { AppDeps } from '../app.js';
import type { Actor } from '../context.js';
import { transactionDetail } from '../pos/read.js';
import { buildEvidenceBundle } from '../video/bundle.js';
import { pinRange } from '../video/retention.js';
import { notesOf } from './store.js';

/**
 * A case's evidence bundle: every clip of its exceptions, the receipts of their transactions and
 * the case's and exceptions' notes. The clips' time ranges are pinned first so retention keeps the
 * recordings behind exported evidence.
 */

const money = (c: number) => `${c < 0 ? '-' : ''}$${(Math.abs(c) / 100).toFixed(2)}`;

export async function exportCase(d: AppDeps, c: Case, actor: Actor, zone: string) {
  const { db } = d;
  const ids = JSON.stringify(c.exceptionIds);
  const clips = db
    .prepare('SELECT id, camera_id, start_ms, end_ms FROM clip WHERE exception_id IN (SELECT value FROM json_each(?)) ORDER BY start_ms, id')
    .all(ids) as { id: number; camera_id: number | null; start_ms: number; end_ms: number }[];

  const receipt: { at?: number; text: string }[] = [];
  const txns = db
    .prepare("SELECT DISTINCT transaction_id FROM exception_transaction WHERE exception_id IN (SELECT value FROM json_each(?)) ORDER BY role = 'primary' DESC, transaction_id")
    .pluck()
    .all(ids) as number[];
  for (const id of txns) {
    const t = transactionDetail(db, id);
    receipt.push({ at: t.startedAt, text: `#${t.externalId ?? t.id} ${t.type} register ${t.register ?? '-'} employee ${t.employee ?? '-'} total ${money(t.amountCents)}` });
    for (const l of t.lines as { description: string; quantity: number | null; amountCents: number; status: string }[]) {
      receipt.push({ text: `  ${l.quantity ?? ''} ${l.description} ${money(l.amountCents)}${l.status !== 'normal' ? ` (${l.status})` : ''}`.replace(/\s+/g, ' ').trim() });
    }
  }

  const notes = [...notesOf(db, { caseId: c.id }), ...c.exceptionIds.flatMap((e) => notesOf(db, { exceptionId: e }).filter((n) => n.caseId === null))]
    .sort((a, b) => a.at - b.at || a.id - b.id)
    .map((n) => ({ at: n.at, author: n.author, text: n.text }));

  const local = (ms: number | null) => (ms === null ? '' : DateTime.fromMillis(ms, { zone }).toFormat('yyyy-LL-dd HH:mm'));
  const summary: Record<string, string> = {
    Case: `#${c.id} ${c.title}`,
    Status: c.status,
    Amount: `${money(c.amountCents)} (${c.amountSource})`,
    Exceptions: c.exceptionIds.map((e) => `#${e}`).join(', '),
  };
  if (c.offender) summary['Offender candidate'] = c.offender;
  if (c.subjectId) summary['Face subject'] = `#${c.subjectId}`;
  if (c.confirmedBy) summary['Confirmed'] = `${local(c.confirmedAt)} by ${c.confirmedBy}: ${c.confirmReason ?? ''}`;

  // Pin before bundling: a retention pass running meanwhile must not take the footage away.
  const now = d.clock.now();
  const ref = `case:${c.id}`;
  const pinned = db.prepare('SELECT 1 FROM recording_pin WHERE ref = ? AND camera_id IS ? AND start_ms = ? AND end_ms = ?');
  let pins = 0;
  db.transaction(() => {
    for (const clip of clips) {
      if (clip.end_ms <= clip.start_ms || pinned.get(ref, clip.camera_id, clip.start_ms, clip.end_ms)) continue;
      pinRange(db, { cameraId: clip.camera_id, start: clip.start_ms, end: clip.end_ms, reason: 'case evidence', ref, now });
      pins++;
    }
  })();

  const bundle = await buildEvidenceBundle(d, { clipIds: clips.map((x) => x.id), title: `Case #${c.id}: ${c.title}`, receipt, notes, summary }, actor, zone);
  db.transaction(() => {
    db.prepare('INSERT INTO case_export (case_id, path, sha256, at) VALUES (?, ?, ?, ?)').run(c.id, bundle.path, bundle.sha256, d.clock.now());
    d.audit(actor, { action: 'case.export', entity: 'case', entityId: c.id, details: { path: bundle.path, sha256: bundle.sha256, clips: clips.length, pins } });
  })();
  return { path: bundle.path, sha256: bundle.sha256, bytes: bundle.bytes, clips: clips.length, pins };
}
