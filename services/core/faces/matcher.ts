import type { AppDeps } from '../app.js';
import type { FacesConfig } from './config.js';
import { rekognitionConfig } from './config.js';
import { euclidean, similarityFromDistance } from './engine.js';
import { Gallery } from './gallery/index.js';
import { createLocalEngine } from './local/engine.js';
import { createRekognitionEngine, type RekognitionEngine } from './rekognition/engine.js';
import { fromBlob } from './store.js';
import type { AnalyzedImage, DetectedFace } from './types.js';

export interface Candidate {
  subjectId: number;
  subjectName: string;
  templateId: number | null;
  distance: number | null;
  similarity: number;
  suppressed: boolean;
}
export interface MatchedFace {
  face: DetectedFace;
  candidates: Candidate[];
}
export interface MatchedImage {
  width: number;
  height: number;
  engine: 'local' | 'rekognition';
  faces: MatchedFace[];
}

/** A probe this close to a probe a reviewer rejected for a subject is taken to be that same person. */
const SAME_PERSON_AS_REJECTED = 0.45;

/**
 * Owns the engines and the in-memory gallery, and turns an image into faces with watchlist
 * candidates. Expired subjects are never returned.
 */
export function createMatcher(d: AppDeps, hnswThreshold = 5000) {
  const local = createLocalEngine();
  let rek: { key: string; engine: RekognitionEngine } | undefined;
  let gallery: Gallery | undefined;
  const templateSubject = new Map<number, number>();

  const loadGallery = (): Gallery => {
    if (gallery) return gallery;
    const g = new Gallery(128, hnswThreshold);
    const rows = d.db.prepare("SELECT id, subject_id, descriptor FROM face_template WHERE engine = 'local' AND descriptor IS NOT NULL").all() as {
      id: number;
      subject_id: number;
      descriptor: Buffer;
    }[];
    for (const r of rows) {
      g.add(r.id, fromBlob(r.descriptor));
      templateSubject.set(r.id, r.subject_id);
    }
    gallery = g;
    return g;
  };

  const rekognition = (): RekognitionEngine => {
    const cfg = rekognitionConfig(d);
    const key = JSON.stringify(cfg);
    if (rek?.key !== key) {
      void rek?.engine.close();
      rek = { key, engine: createRekognitionEngine(cfg) };
    }
    return rek.engine;
  };

  const liveSubjects = (ids: number[]): Map<number, string> => {
    if (ids.length === 0) return new Map();
    const rows = d.db
      .prepare(`SELECT id, name FROM face_subject WHERE expires_at > ? AND id IN (${ids.map(() => '?').join(',')})`)
      .all(d.clock.now(), ...ids) as { id: number; name: string }[];
    return new Map(rows.map((r) => [r.id, r.name]));
  };

  const isSuppressed = (subjectId: number, probe: Float32Array | undefined): boolean => {
    if (!probe) return false;
    const rows = d.db.prepare('SELECT probe_descriptor FROM face_rejection WHERE subject_id = ? AND probe_descriptor IS NOT NULL').all(subjectId) as {
      probe_descriptor: Buffer;
    }[];
    return rows.some((r) => euclidean(fromBlob(r.probe_descriptor), probe) < SAME_PERSON_AS_REJECTED);
  };

  async function matchLocal(img: AnalyzedImage, cfg: FacesConfig, limit: number): Promise<MatchedFace[]> {
    const g = loadGallery();
    return img.faces.map((face) => {
      if (!face.descriptor || g.size === 0) return { face, candidates: [] };
      const bestBySubject = new Map<number, { templateId: number; distance: number }>();
      for (const n of g.search(face.descriptor, Math.min(g.size, 50))) {
        if (n.distance > cfg.maxDistance) break;
        const s = templateSubject.get(n.id);
        if (s !== undefined && !bestBySubject.has(s)) bestBySubject.set(s, { templateId: n.id, distance: n.distance });
      }
      const names = liveSubjects([...bestBySubject.keys()]);
      const candidates = [...bestBySubject.entries()]
        .filter(([s]) => names.has(s))
        .slice(0, limit)
        .map(([subjectId, b]) => ({
          subjectId,
          subjectName: names.get(subjectId)!,
          templateId: b.templateId,
          distance: Math.round(b.distance * 10000) / 10000,
          similarity: similarityFromDistance(b.distance),
          suppressed: isSuppressed(subjectId, face.descriptor),
        }));
      return { face, candidates };
    });
  }

  async function matchRekognition(engine: RekognitionEngine, bytes: Uint8Array, label: string, cfg: FacesConfig, limit: number): Promise<MatchedImage> {
    const img = await engine.analyze(bytes, label, cfg.limits);
    const faces: MatchedFace[] = [];
    for (const face of img.faces) {
      const found = await engine.searchFace(engine.faceBytes(img.decoded, face.box), cfg.minSimilarity, limit * 3);
      const byFaceId = new Map<string, { id: number; subject_id: number }>();
      if (found.length) {
        const rows = d.db
          .prepare(`SELECT id, subject_id, external_id FROM face_template WHERE engine = 'rekognition' AND external_id IN (${found.map(() => '?').join(',')})`)
          .all(...found.map((f) => f.faceId)) as { id: number; subject_id: number; external_id: string }[];
        for (const r of rows) byFaceId.set(r.external_id, r);
      }
      const names = liveSubjects([...new Set([...byFaceId.values()].map((r) => r.subject_id))]);
      const seen = new Set<number>();
      const candidates: Candidate[] = [];
      for (const f of found.sort((a, b) => b.similarity - a.similarity)) {
        const t = byFaceId.get(f.faceId);
        // A FaceId we do not know (erased here, or another station's collection) is ignored.
        if (!t || seen.has(t.subject_id) || !names.has(t.subject_id)) continue;
        seen.add(t.subject_id);
        candidates.push({ subjectId: t.subject_id, subjectName: names.get(t.subject_id)!, templateId: t.id, distance: null, similarity: Math.round(f.similarity * 10) / 10, suppressed: false });
      }
      faces.push({ face, candidates: candidates.slice(0, limit) });
    }
    return { width: img.width, height: img.height, engine: 'rekognition', faces };
  }

  return {
    local,
    rekognition,
    async analyze(bytes: Uint8Array, label: string, cfg: FacesConfig): Promise<AnalyzedImage & { engine: 'local' | 'rekognition' }> {
      if (cfg.engine === 'rekognition') {
        const { decoded: _decoded, ...rest } = await rekognition().analyze(bytes, label, cfg.limits);
        return { ...rest, engine: 'rekognition' };
      }
      return { ...(await local.analyze(bytes, label, cfg.limits)), engine: 'local' };
    },
    async match(bytes: Uint8Array, label: string, cfg: FacesConfig, limit = 3): Promise<MatchedImage> {
      if (cfg.engine === 'rekognition') return matchRekognition(rekognition(), bytes, label, cfg, limit);
      const img = await local.analyze(bytes, label, cfg.limits);
      return { width: img.width, height: img.height, engine: 'local', faces: await matchLocal(img, cfg, limit) };
    },
    galleryInfo() {
      const g = loadGallery();
      return { kind: g.kind, size: g.size };
    },
    addTemplate(id: number, subjectId: number, descriptor: Float32Array) {
      loadGallery().add(id, descriptor);
      templateSubject.set(id, subjectId);
    },
    removeTemplate(id: number) {
      gallery?.remove(id);
      templateSubject.delete(id);
    },
    async close() {
      await local.close();
      await rek?.engine.close();
    },
  };
}
export type Matcher = ReturnType<typeof createMatcher>;

