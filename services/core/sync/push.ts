import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync, createReadStream } from 'node:fs';
import { NetworkCaseIntakeResponse, NetworkChunkResponse } from '../../contract/network.js';
import type { AppDeps } from '../app.js';
import { NetFailure, netCall, withRetry, type NetClientOptions } from './http.js';
import type { OutboxRow, UploadRow } from './outbox.js';

/** A failure that retrying cannot fix: the entry is marked failed with this message. */
export class PermanentFailure extends Error {}

export interface PushOptions {
  client: NetClientOptions;
  chunkBytes: number;
  retry: { tries: number; baseMs: number; capMs: number; stopped: () => boolean };
  onBytes?: (done: number, total: number) => void;
}

async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}

function readChunk(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, offset);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * Sends one outbox entry: the intake (idempotent by key), then each evidence file from where the
 * network says it stands. Progress is written after every chunk, so a crash resumes there.
 */
export async function pushEntry(d: AppDeps, e: OutboxRow, o: PushOptions): Promise<void> {
  const call = <T>(fn: () => Promise<T>) => withRetry(fn, o.retry);
  const label = `case ${e.case_id}${e.revision > 1 ? ` (revision ${e.revision})` : ''}`;
  let uploads = d.db.prepare('SELECT * FROM sync_upload WHERE outbox_id = ? ORDER BY position').all(e.id) as UploadRow[];
  for (const u of uploads) {
    if (u.complete) continue;
    if (!existsSync(u.path)) throw new PermanentFailure(`cannot send ${label}: evidence file ${u.name} is missing from this station (${u.path})`);
    const size = statSync(u.path).size;
    if (size !== u.size) throw new PermanentFailure(`cannot send ${label}: evidence file ${u.name} is ${size} bytes but was ${u.size} when the case was confirmed`);
  }

  let networkId = e.network_case_id;
  if (!networkId || uploads.some((u) => !u.evidence_id)) {
    let r;
    try {
      r = await call(() =>
        netCall(o.client, { method: 'POST', path: '/v1/cases', json: JSON.parse(e.intake), headers: { 'idempotency-key': e.idempotency_key } }, NetworkCaseIntakeResponse),
      );
    } catch (err) {
      if (err instanceof NetFailure && err.kind === 'client') throw new PermanentFailure(`network rejected ${label}: ${err.message}`);
      throw err;
    }
    networkId = r.id;
    const ids = r.evidence;
    d.db.transaction(() => {
      d.db.prepare("UPDATE sync_outbox SET network_case_id = ?, updated_at = ? WHERE id = ?").run(r.id, d.clock.now(), e.id);
      const up = d.db.prepare('UPDATE sync_upload SET evidence_id = ?, sent_bytes = ?, complete = ? WHERE outbox_id = ? AND name = ?');
      for (const ev of ids) up.run(ev.id, ev.receivedBytes, ev.complete ? 1 : 0, e.id, ev.name);
    })();
    uploads = d.db.prepare('SELECT * FROM sync_upload WHERE outbox_id = ? ORDER BY position').all(e.id) as UploadRow[];
  }

  const total = uploads.reduce((a, u) => a + u.size, 0);
  let doneBefore = uploads.filter((u) => u.complete).reduce((a, u) => a + u.size, 0);
  const save = d.db.prepare('UPDATE sync_upload SET sent_bytes = ?, complete = ? WHERE outbox_id = ? AND position = ?');
  for (const u of uploads) {
    if (u.complete) continue;
    if (!u.evidence_id) throw new PermanentFailure(`network did not list evidence ${u.name} for ${label}`);
    const evPath = `/v1/cases/${encodeURIComponent(networkId)}/evidence/${encodeURIComponent(u.evidence_id)}`;
    // Ask where the network stands: after a cut, the last chunk may or may not have landed.
    let p = await call(() => netCall(o.client, { method: 'GET', path: evPath }, NetworkChunkResponse));
    let mismatches = 0;
    while (!p.complete) {
      const offset = p.receivedBytes;
      const chunk = readChunk(u.path, offset, Math.min(o.chunkBytes, u.size - offset));
      try {
        p = await call(() => netCall(o.client, { method: 'PUT', path: `${evPath}?offset=${offset}`, bytes: chunk }, NetworkChunkResponse));
      } catch (err) {
        if (!(err instanceof NetFailure) || err.kind !== 'client') throw err;
        const det = (err.details ?? {}) as { expectedOffset?: number; expected?: string; actual?: string };
        if (err.code === 'conflict' && typeof det.expectedOffset === 'number') {
          p = { ...p, receivedBytes: det.expectedOffset };
          continue;
        }
        if (det.expected && det.actual) {
          // The network discarded the file. If ours still matches the manifest, the bytes were
          // damaged in transit: send it again. If not, the file changed here and must not be sent.
          const local = await fileSha256(u.path);
          if (local !== u.sha256 || ++mismatches >= 3) {
            throw new PermanentFailure(`network rejected ${label}: evidence hash mismatch for ${u.name.endsWith(".json") ? "case file" : "clip"} ${u.name} (manifest ${u.sha256.slice(0, 12)}…, file now ${local.slice(0, 12)}…)`);
          }
          p = { ...p, receivedBytes: 0 };
          continue;
        }
        throw new PermanentFailure(`network rejected ${label}: ${err.message}`);
      }
      save.run(p.receivedBytes, p.complete ? 1 : 0, e.id, u.position);
      o.onBytes?.(doneBefore + p.receivedBytes, total);
    }
    save.run(u.size, 1, e.id, u.position);
    doneBefore += u.size;
  }
}
