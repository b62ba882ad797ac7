import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaceMatch, FaceSubject } from '../../contract/commands/faces.js';
import type { Db } from '../db/open.js';

/** Row access for the faces tables, and the thumbnail files that belong to them. */
export interface SubjectRow {
  id: number;
  name: string;
  source: 'local' | 'network';
  network_id: string | null;
  case_id: number | null;
  consent_note: string;
  expires_at: number;
  created_at: number;
}
export interface TemplateRow {
  id: number;
  subject_id: number;
  engine: 'local' | 'rekognition';
  descriptor: Buffer | null;
  external_id: string | null;
  quality: number;
  thumbnail: string | null;
}
interface MatchRow {
  id: number;
  at: number;
  search_id: number;
  subject_id: number;
  template_id: number | null;
  distance: number | null;
  similarity: number;
  frames_agreeing: number;
  frames_total: number;
  camera_id: number | null;
  source_ref: string;
  status: FaceMatch['status'];
  probe_thumbnail: string | null;
  name: string;
}

export const toBlob = (v: Float32Array): Buffer => Buffer.from(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
export const fromBlob = (b: Buffer): Float32Array => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

export class FaceFiles {
  constructor(private readonly dataDir: string) {}
  /** Relative to the data folder, so the folder can move. */
  write(kind: 'templates' | 'matches', id: number, jpeg: Uint8Array): string {
    const rel = join('faces', kind, `${id}.jpg`);
    mkdirSync(join(this.dataDir, 'faces', kind), { recursive: true });
    writeFileSync(join(this.dataDir, rel), jpeg);
    return rel;
  }
  abs(rel: string): string {
    return join(this.dataDir, rel);
  }
  base64(rel: string | null): string | null {
    if (!rel) return null;
    const p = join(this.dataDir, rel);
    return existsSync(p) ? readFileSync(p).toString('base64') : null;
  }
  remove(rel: string | null): boolean {
    if (!rel) return false;
    const p = join(this.dataDir, rel);
    if (!existsSync(p)) return false;
    rmSync(p, { force: true });
    return true;
  }
}

export function subjectView(db: Db, files: FaceFiles, row: SubjectRow, now: number): FaceSubject {
  const t = db
    .prepare('SELECT COUNT(*) AS n, (SELECT thumbnail FROM face_template WHERE subject_id = ? ORDER BY quality DESC, id LIMIT 1) AS thumb FROM face_template WHERE subject_id = ?')
    .get(row.id, row.id) as { n: number; thumb: string | null };
  return {
    id: row.id,
    name: row.name,
    source: row.source,
    networkId: row.network_id,
    caseId: row.case_id,
    consentNote: row.consent_note,
    expiresAt: row.expires_at,
    expired: row.expires_at <= now,
    templates: t.n,
    thumbnail: files.base64(t.thumb),
    createdAt: row.created_at,
  };
}

export function getSubject(db: Db, id: number): SubjectRow | undefined {
  return db.prepare('SELECT * FROM face_subject WHERE id = ?').get(id) as SubjectRow | undefined;
}

export function listMatches(db: Db, files: FaceFiles, where: string, params: unknown[], limit: number): FaceMatch[] {
  const rows = db
    .prepare(`SELECT m.*, s.name FROM face_match m JOIN face_subject s ON s.id = m.subject_id ${where} ORDER BY m.at DESC, m.id DESC LIMIT ?`)
    .all(...params, limit) as MatchRow[];
  return rows.map((r) => {
    const thumb = r.template_id
      ? (db.prepare('SELECT thumbnail FROM face_template WHERE id = ?').get(r.template_id) as { thumbnail: string | null } | undefined)?.thumbnail ?? null
      : null;
    return {
      id: r.id,
      at: r.at,
      searchId: r.search_id,
      subjectId: r.subject_id,
      subjectName: r.name,
      templateId: r.template_id,
      distance: r.distance,
      similarity: r.similarity,
      framesAgreeing: r.frames_agreeing,
      framesTotal: r.frames_total,
      cameraId: r.camera_id,
      sourceRef: r.source_ref,
      status: r.status,
      probeThumbnail: files.base64(r.probe_thumbnail),
      subjectThumbnail: files.base64(thumb),
    };
  });
}
