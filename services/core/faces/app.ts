import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { FaceMatch, FacesStatus, ImageRef } from '../../contract/commands/faces.js';
import { PennyError } from '../../contract/errors.js';
import type { z } from 'zod';
import type { AppDeps, DomainApp } from '../app.js';
import { actorLabel, systemCtx, type Actor } from '../context.js';
import { RaiseInput } from '../../contract/commands/alerts.js';
import { alertOptions } from '../alerts/config.js';
import { raiseAlert } from '../alerts/raise.js';
import { agree, framesRequired } from './agreement.js';
import { facesConfig, type FacesConfig } from './config.js';
import { equalErrorRate, pairDistances, rank1, tarAtFar, type Sample } from './evaluate.js';
import { sampleFrames } from './frames.js';
import { decodeImage } from './image.js';
import { createMatcher, type MatchedFace } from './matcher.js';
import { FaceFiles, getSubject, listMatches, subjectView, toBlob, type SubjectRow } from './store.js';
import type { DetectedFace } from './types.js';

const YEAR_MS = 365 * 24 * 3600 * 1000;
/** A second match for the same subject on the same camera within this window is not a new alert. */
const REPEAT_WINDOW_MS = 10 * 60 * 1000;
const MAX_IMAGE_BYTES = 50 * 1024 * 1024;
const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png']);

export interface FacesAppOptions {
  /** Templates above which the gallery switches from exact search to HNSW. */
  hnswThreshold?: number;
}

/** Reads an image reference; the label names it in errors (the path, or "uploaded image"). */
function loadImage(ref: ImageRef, field: string): { bytes: Uint8Array; label: string } {
  if ('path' in ref) {
    let size: number;
    try {
      const st = statSync(ref.path);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      throw new PennyError('invalid_input', `${field}: ${ref.path} does not exist or is not a file.`, { field, path: ref.path });
    }
    if (size > MAX_IMAGE_BYTES) throw new PennyError('invalid_input', `${field}: ${ref.path} is larger than 50 MB.`, { field, path: ref.path });
    return { bytes: new Uint8Array(readFileSync(ref.path)), label: ref.path };
  }
  if (!/^[A-Za-z0-9+/=\s]+$/.test(ref.base64)) throw new PennyError('invalid_input', `${field}: image data is not base64.`, { field });
  return { bytes: new Uint8Array(Buffer.from(ref.base64, 'base64')), label: ref.name ?? `${field} (uploaded image)` };
}

const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');

function foundFace(face: DetectedFace, index: number) {
  return { index, box: face.box, score: face.score, quality: face.quality, thumbnail: b64(face.thumbnail) };
}

export function createFacesApp(d: AppDeps, opts: FacesAppOptions = {}): DomainApp & { matcher: ReturnType<typeof createMatcher> } {
  const { db, clock } = d;
  const files = new FaceFiles(d.dataDir);
  const matcher = createMatcher(d, opts.hnswThreshold);
  let unsubscribe: (() => void) | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let stopped = false;

  const privacy = () =>
    db.prepare('SELECT enabled, signage_acknowledged_at, changed_by FROM face_privacy WHERE id = 1').get() as
      | { enabled: number; signage_acknowledged_at: number | null; changed_by: string }
      | undefined;

  const requireEnabled = () => {
    const p = privacy();
    if (!p?.enabled) {
      throw new PennyError('forbidden', 'Face search is off. An admin must turn it on (faces.enable) and acknowledge that signage is posted.', { feature: 'faces' });
    }
  };

  const status = (): z.infer<typeof FacesStatus> => {
    const cfg = facesConfig(d);
    const p = privacy();
    const counts = db
      .prepare('SELECT (SELECT COUNT(*) FROM face_subject WHERE expires_at > ?) AS s, (SELECT COUNT(*) FROM face_template t JOIN face_subject s ON s.id = t.subject_id WHERE s.expires_at > ?) AS t')
      .get(clock.now(), clock.now()) as { s: number; t: number };
    return {
      enabled: !!p?.enabled,
      signageAcknowledgedAt: p?.signage_acknowledged_at ?? null,
      changedBy: p?.changed_by ?? null,
      engine: cfg.engine,
      maxDistance: cfg.maxDistance,
      minSimilarity: cfg.minSimilarity,
      agreeK: cfg.agreeK,
      agreeN: cfg.agreeN,
      subjects: counts.s,
      templates: counts.t,
      index: matcher.galleryInfo().kind,
    };
  };

  const setPrivacy = (enabled: boolean, actor: Actor) =>
    db.transaction(() => {
      const now = clock.now();
      db.prepare(
        `INSERT INTO face_privacy (id, enabled, signage_acknowledged_at, changed_by, changed_at) VALUES (1, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET enabled = excluded.enabled, signage_acknowledged_at = COALESCE(excluded.signage_acknowledged_at, signage_acknowledged_at), changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
      ).run(enabled ? 1 : 0, enabled ? now : null, actorLabel(actor), now);
      d.audit(actor, { action: enabled ? 'faces.enable' : 'faces.disable', entity: 'faces', entityId: 1, details: enabled ? { signageAcknowledged: true } : {} });
    })();

  /** One audit row (and face_search row) per search, in one transaction with any match it creates. */
  const recordSearch = (
    actor: Actor,
    s: { trigger: string; engine: string; cameraId: number | null; sourceRef: string; frames: number; facesFound: number; matched: number[] },
  ): number => {
    const id = Number(
      db
        .prepare('INSERT INTO face_search (at, actor, trigger, engine, camera_id, source_ref, frames, faces_found, matched_subjects) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(clock.now(), actorLabel(actor), s.trigger, s.engine, s.cameraId, s.sourceRef, s.frames, s.facesFound, JSON.stringify(s.matched)).lastInsertRowid,
    );
    d.audit(actor, {
      action: 'faces.search',
      entity: 'face_search',
      entityId: id,
      details: { trigger: s.trigger, engine: s.engine, cameraId: s.cameraId, sourceRef: s.sourceRef, frames: s.frames, facesFound: s.facesFound, matchedSubjects: s.matched },
    });
    return id;
  };

  const matchedSubjects = (faces: MatchedFace[]) => [...new Set(faces.flatMap((f) => f.candidates.filter((c) => !c.suppressed).map((c) => c.subjectId)))];

  interface CheckInput {
    frames: { bytes: Uint8Array; label: string }[];
    trigger: string;
    cameraId: number | null;
    sourceRef: string;
  }

  async function check(input: CheckInput, actor: Actor, cfg: FacesConfig) {
    const perFrame: MatchedFace[][] = [];
    let engine: 'local' | 'rekognition' = cfg.engine;
    for (const f of input.frames) {
      const m = await matcher.match(f.bytes, f.label, cfg, 3);
      engine = m.engine;
      perFrame.push(m.faces);
    }
    const agreements = agree(perFrame.map((faces) => ({ faces: faces.map((f) => ({ face: f.face, candidates: f.candidates })) })));
    const required = framesRequired(cfg.agreeK, cfg.agreeN, input.frames.length);
    const winners = agreements.filter((a) => !a.suppressed && a.framesAgreeing >= required);
    const now = clock.now();
    const written: string[] = [];
    const created: { id: number; subjectId: number; similarity: number; thumb: string | null; framesAgreeing: number }[] = [];
    let searchId: number;
    try {
      searchId = db.transaction(() => {
        const sid = recordSearch(actor, {
          trigger: input.trigger,
          engine,
          cameraId: input.cameraId,
          sourceRef: input.sourceRef,
          frames: input.frames.length,
          facesFound: perFrame.reduce((n, f) => n + f.length, 0),
          matched: winners.map((w) => w.subjectId),
        });
        for (const w of winners) {
          const recent = db
            .prepare("SELECT id FROM face_match WHERE subject_id = ? AND camera_id IS ? AND at > ? AND status != 'not_this_person' LIMIT 1")
            .get(w.subjectId, input.cameraId, now - REPEAT_WINDOW_MS);
          if (recent) continue;
          const c = w.best.candidate;
          const mid = Number(
            db
              .prepare(
                'INSERT INTO face_match (at, search_id, subject_id, template_id, distance, similarity, frames_agreeing, frames_total, camera_id, source_ref, probe_descriptor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
              )
              .run(now, sid, w.subjectId, c.templateId, c.distance, c.similarity, w.framesAgreeing, input.frames.length, input.cameraId, input.sourceRef, w.best.face.descriptor ? toBlob(w.best.face.descriptor) : null)
              .lastInsertRowid,
          );
          // The probe is kept only because it matched: it is the evidence the alert shows.
          const thumb = files.write('matches', mid, w.best.face.thumbnail);
          written.push(thumb);
          db.prepare('UPDATE face_match SET probe_thumbnail = ? WHERE id = ?').run(thumb, mid);
          db.prepare('UPDATE face_search SET match_id = ? WHERE id = ?').run(mid, sid);
          d.audit(actor, { action: 'faces.match', entity: 'face_match', entityId: mid, details: { subjectId: w.subjectId, similarity: c.similarity, framesAgreeing: w.framesAgreeing, framesTotal: input.frames.length, cameraId: input.cameraId } });
          // Through the alerts outbox in this same transaction, so a match never exists without its alert.
          const subjectName = (db.prepare('SELECT name FROM face_subject WHERE id = ?').get(w.subjectId) as { name: string }).name;
          raiseAlert(
            d,
            RaiseInput.parse({
              source: 'face',
              type: 'return_offender',
              severity: 'high',
              title: `Return offender: ${subjectName}${input.cameraId ? ` on camera ${input.cameraId}` : ''}`,
              body: `A watchlist face matched (${c.similarity}% similar, ${w.framesAgreeing} of ${input.frames.length} frames) at ${new Date(now).toISOString()}. Check it in Monitor before acting.`,
              link: `${alertOptions(d).linkBase}/#/monitor/faces/${mid}`,
              entity: 'face_match',
              entityId: mid,
              thumbnailPath: files.abs(thumb),
              dedupeKey: `face_match:${mid}`,
            }),
            actor,
          );
          created.push({ id: mid, subjectId: w.subjectId, similarity: c.similarity, thumb, framesAgreeing: w.framesAgreeing });
        }
        return sid;
      })();
    } catch (err) {
      for (const f of written) files.remove(f);
      throw err;
    }
    d.events.emit('faces.searched', { searchId, trigger: input.trigger, facesFound: perFrame.reduce((n, f) => n + f.length, 0), matched: winners.length });
    for (const m of created) {
      d.events.emit('faces.matched', {
        matchId: m.id,
        subjectId: m.subjectId,
        similarity: m.similarity,
        cameraId: input.cameraId,
        at: now,
        framesAgreeing: m.framesAgreeing,
        framesTotal: input.frames.length,
        thumbnailPath: m.thumb ? files.abs(m.thumb) : null,
      });
      d.logger.info('face match', { matchId: m.id, subjectId: m.subjectId, cameraId: input.cameraId });
    }
    return {
      searchId,
      framesTotal: input.frames.length,
      facesFound: perFrame.reduce((n, f) => n + f.length, 0),
      required,
      candidates: agreements.map((a) => ({
        subjectId: a.subjectId,
        subjectName: perFrame.flat().flatMap((f) => f.candidates).find((c) => c.subjectId === a.subjectId)?.subjectName ?? '',
        framesAgreeing: a.framesAgreeing,
        bestSimilarity: a.bestSimilarity,
        suppressed: a.suppressed,
      })),
      matches: created.length ? listMatches(db, files, `WHERE m.id IN (${created.map(() => '?').join(',')})`, created.map((m) => m.id), created.length) : [],
    };
  }

  /** Snapshots saved by the cameras domain are checked in the background, one at a time. */
  const onSnapshot = (payload: { cameraId: number; snapshotId: number; path: string }) => {
    queue = queue
      .then(async () => {
        if (stopped || !privacy()?.enabled || status().templates === 0) return;
        const cfg = facesConfig(d);
        await check({ frames: [loadImage({ path: payload.path }, 'snapshot')], trigger: 'snapshot', cameraId: payload.cameraId, sourceRef: `snapshot:${payload.snapshotId}` }, systemCtx('faces').actor, cfg);
      })
      .catch((err: unknown) => d.logger.warn('snapshot face check failed', { snapshotId: payload.snapshotId, code: (err as PennyError).code ?? 'internal' }));
  };

  async function evaluate(dir: string) {
    let ids: string[];
    try {
      ids = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    } catch {
      throw new PennyError('invalid_input', `${dir} is not a readable folder.`, { field: 'dir' });
    }
    const images = ids.flatMap((id) =>
      readdirSync(join(dir, id))
        .filter((f) => IMAGE_EXT.has(extname(f).toLowerCase()))
        .sort()
        .map((f) => ({ identity: id, image: `${id}/${f}` })),
    );
    if (ids.length < 2 || images.length < 3) {
      throw new PennyError('invalid_input', `${dir} must hold one folder per identity (at least 2) with JPEG/PNG photos; found ${ids.length} folders and ${images.length} photos.`, { field: 'dir' });
    }
    const cfg = facesConfig(d);
    const samples: Sample[] = [];
    const noFace: string[] = [];
    const t0 = Date.now();
    for (const [i, im] of images.entries()) {
      const r = await matcher.local.analyze(new Uint8Array(readFileSync(join(dir, im.image))), im.image, cfg.limits);
      // One person per photo: the most confident detection is that person.
      const best = [...r.faces].sort((a, b) => b.score - a.score)[0];
      if (best?.descriptor) samples.push({ ...im, descriptor: best.descriptor });
      else noFace.push(im.image);
      d.events.emit('faces.progress', { job: 'eval', done: i + 1, total: images.length });
    }
    const msPerImage = Math.round((Date.now() - t0) / images.length);
    const r1 = rank1(samples);
    const { genuine, impostor } = pairDistances(samples);
    const tar = [1e-3, 1e-2].map((far) => tarAtFar(genuine, impostor, far));
    return {
      identities: ids.length,
      images: images.length,
      imagesWithFace: samples.length,
      noFace,
      rank1: Math.round(r1.rank1 * 10000) / 10000,
      rank1Correct: r1.correct,
      rank1Trials: r1.trials,
      rank1Failures: r1.failures,
      genuinePairs: genuine.length,
      impostorPairs: impostor.length,
      tar: tar.map((t) => ({ ...t, tar: Math.round(t.tar * 10000) / 10000, achievedFar: Math.round(t.achievedFar * 100000) / 100000 })),
      eer: Math.round(equalErrorRate(genuine, impostor) * 10000) / 10000,
      chosenThreshold: tar[0]!.threshold,
      chosenBy: 'largest distance whose false-accept rate on this set stays at or under 1e-3 (accept when d < threshold)',
      msPerImage,
    };
  }

  return {
    matcher,
    start() {
      unsubscribe = d.events.subscribe((name, payload) => {
        if (name === 'camera.snapshotTaken') onSnapshot(payload as { cameraId: number; snapshotId: number; path: string });
      });
    },
    async stop() {
      stopped = true;
      unsubscribe?.();
      await queue.catch(() => undefined);
      await matcher.close();
    },
    handlers: {
      'faces.status': () => status(),
      'faces.enable': (_input, ctx) => {
        setPrivacy(true, ctx.actor);
        d.events.emit('faces.privacyChanged', { enabled: true });
        return status();
      },
      'faces.disable': (_input, ctx) => {
        setPrivacy(false, ctx.actor);
        d.events.emit('faces.privacyChanged', { enabled: false });
        return status();
      },

      'faces.detect': async ({ image }, ctx) => {
        requireEnabled();
        const cfg = facesConfig(d);
        const img = loadImage(image, 'image');
        const r = await matcher.analyze(img.bytes, img.label, cfg);
        db.transaction(() => d.audit(ctx.actor, { action: 'faces.detect', entity: 'faces', entityId: null, details: { engine: r.engine, facesFound: r.faces.length } }))();
        return { width: r.width, height: r.height, faces: r.faces.map(foundFace) };
      },

      'faces.enroll': async (input, ctx) => {
        requireEnabled();
        const cfg = facesConfig(d);
        const now = clock.now();
        let existing: SubjectRow | undefined;
        if (input.subjectId !== undefined) {
          existing = getSubject(db, input.subjectId);
          if (!existing) throw new PennyError('not_found', `No watchlist subject ${input.subjectId}.`, { field: 'subjectId' });
          if (existing.expires_at <= now) throw new PennyError('conflict', `Subject ${input.subjectId} has expired; extend its expiry before adding faces.`, { field: 'subjectId' });
        }
        if (input.subject?.expiresAt !== undefined && input.subject.expiresAt <= now) {
          throw new PennyError('invalid_input', 'subject.expiresAt is in the past.', { field: 'subject.expiresAt' });
        }
        const accepted: { image: number; face: DetectedFace; externalId?: string }[] = [];
        const rejected: { image: number; reason: string }[] = [];
        for (const [i, entry] of input.images.entries()) {
          const field = `images[${i}]`;
          const img = loadImage(entry.image, field);
          const r = await matcher.analyze(img.bytes, img.label, cfg);
          d.events.emit('faces.progress', { job: 'enroll', done: i + 1, total: input.images.length });
          if (r.faces.length === 0) {
            rejected.push({ image: i, reason: `${field}: no face found` });
            continue;
          }
          if (entry.face !== undefined && entry.face >= r.faces.length) {
            rejected.push({ image: i, reason: `${field}: face ${entry.face} asked for, but the image has ${r.faces.length} face(s) (0–${r.faces.length - 1})` });
            continue;
          }
          const face = r.faces[entry.face ?? 0]!;
          if (!face.quality.ok) {
            rejected.push({ image: i, reason: `${field}: ${face.quality.reasons.join('; ')}` });
            continue;
          }
          accepted.push({ image: i, face });
          if (r.engine === 'rekognition') {
            const engine = matcher.rekognition();
            const decoded = decodeImage(img.bytes, img.label);
            accepted.at(-1)!.externalId = await engine.indexFace(engine.faceBytes(decoded, face.box), `penny-${now}-${i}`);
          }
        }
        if (accepted.length === 0) {
          throw new PennyError('invalid_input', `No usable face to enroll: ${rejected.map((r) => r.reason).join(' | ')}`, { rejected });
        }
        const written: string[] = [];
        const added: { templateId: number; image: number; quality: DetectedFace['quality']; descriptor?: Float32Array }[] = [];
        let subjectId: number;
        try {
          subjectId = db.transaction(() => {
            let sid = existing?.id;
            if (sid === undefined) {
              const s = input.subject!;
              sid = Number(
                db
                  .prepare('INSERT INTO face_subject (name, source, network_id, case_id, consent_note, expires_at, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
                  .run(s.name, s.source, s.networkId ?? null, s.caseId ?? null, s.consentNote, s.expiresAt ?? now + YEAR_MS, actorLabel(ctx.actor), now, now).lastInsertRowid,
              );
            }
            for (const a of accepted) {
              const tid = Number(
                db
                  .prepare('INSERT INTO face_template (subject_id, engine, descriptor, external_id, quality, source_ref, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
                  .run(sid, a.externalId ? 'rekognition' : 'local', a.face.descriptor && !a.externalId ? toBlob(a.face.descriptor) : null, a.externalId ?? null, a.face.quality.score, input.sourceRef, now)
                  .lastInsertRowid,
              );
              const thumb = files.write('templates', tid, a.face.thumbnail);
              written.push(thumb);
              db.prepare('UPDATE face_template SET thumbnail = ? WHERE id = ?').run(thumb, tid);
              added.push({ templateId: tid, image: a.image, quality: a.face.quality, descriptor: a.externalId ? undefined : a.face.descriptor });
            }
            d.audit(ctx.actor, {
              action: existing ? 'faces.enroll' : 'faces.subjectCreate',
              entity: 'face_subject',
              entityId: sid,
              details: { templates: added.map((t) => t.templateId), rejected: rejected.length, sourceRef: input.sourceRef, caseId: input.subject?.caseId ?? existing?.case_id ?? null },
            });
            return sid;
          })();
        } catch (err) {
          for (const f of written) files.remove(f);
          const orphans = accepted.flatMap((a) => (a.externalId ? [a.externalId] : []));
          if (orphans.length) await matcher.rekognition().deleteFaces(orphans).catch(() => undefined);
          throw err;
        }
        for (const t of added) if (t.descriptor) matcher.addTemplate(t.templateId, subjectId, t.descriptor);
        d.events.emit('faces.subjectEnrolled', { subjectId, templates: added.length });
        return {
          subject: subjectView(db, files, getSubject(db, subjectId)!, clock.now()),
          added: added.map(({ templateId, image, quality }) => ({ templateId, image, quality })),
          rejected,
        };
      },

      'faces.subjects': ({ includeExpired }) => {
        const now = clock.now();
        const rows = db.prepare(`SELECT * FROM face_subject ${includeExpired ? '' : 'WHERE expires_at > ?'} ORDER BY name, id`).all(...(includeExpired ? [] : [now])) as SubjectRow[];
        return rows.map((r) => subjectView(db, files, r, now));
      },

      'faces.subjectUpdate': (input, ctx) => {
        const row = getSubject(db, input.id);
        if (!row) throw new PennyError('not_found', `No watchlist subject ${input.id}.`, { field: 'id' });
        db.transaction(() => {
          db.prepare('UPDATE face_subject SET name = COALESCE(?, name), consent_note = COALESCE(?, consent_note), expires_at = COALESCE(?, expires_at), updated_at = ? WHERE id = ?').run(
            input.name ?? null,
            input.consentNote ?? null,
            input.expiresAt ?? null,
            clock.now(),
            input.id,
          );
          d.audit(ctx.actor, { action: 'faces.subjectUpdate', entity: 'face_subject', entityId: input.id, details: { fields: Object.keys(input).filter((k) => k !== 'id') } });
        })();
        return subjectView(db, files, getSubject(db, input.id)!, clock.now());
      },

      'faces.erase': async ({ subjectId }, ctx) => {
        const row = getSubject(db, subjectId);
        if (!row) throw new PennyError('not_found', `No watchlist subject ${subjectId}.`, { field: 'subjectId' });
        const templates = db.prepare('SELECT id, external_id, thumbnail FROM face_template WHERE subject_id = ?').all(subjectId) as { id: number; external_id: string | null; thumbnail: string | null }[];
        const external = templates.flatMap((t) => (t.external_id ? [t.external_id] : []));
        // Faces in the Rekognition collection go first: if that fails nothing here changes and erase can be retried.
        if (external.length) await matcher.rekognition().deleteFaces(external);
        const matches = db.prepare('SELECT id, probe_thumbnail FROM face_match WHERE subject_id = ?').all(subjectId) as { id: number; probe_thumbnail: string | null }[];
        db.transaction(() => {
          db.prepare('UPDATE face_search SET match_id = NULL WHERE match_id IN (SELECT id FROM face_match WHERE subject_id = ?)').run(subjectId);
          db.prepare('DELETE FROM face_rejection WHERE subject_id = ?').run(subjectId);
          db.prepare('DELETE FROM face_match WHERE subject_id = ?').run(subjectId);
          db.prepare('DELETE FROM face_template WHERE subject_id = ?').run(subjectId);
          db.prepare('DELETE FROM face_subject WHERE id = ?').run(subjectId);
          d.audit(ctx.actor, { action: 'faces.erase', entity: 'face_subject', entityId: subjectId, details: { templates: templates.length, matches: matches.length, rekognitionFaces: external.length } });
        })();
        for (const t of templates) matcher.removeTemplate(t.id);
        let filesRemoved = 0;
        for (const f of [...templates.map((t) => t.thumbnail), ...matches.map((m) => m.probe_thumbnail)]) if (files.remove(f)) filesRemoved++;
        d.events.emit('faces.subjectErased', { subjectId });
        return { ok: true as const, templatesRemoved: templates.length, filesRemoved, matchesRemoved: matches.length };
      },

      'faces.search': async (input, ctx) => {
        requireEnabled();
        const cfg = facesConfig(d);
        const img = loadImage(input.image, 'image');
        const r = await matcher.match(img.bytes, img.label, cfg, input.limit);
        const searchId = db.transaction(() =>
          recordSearch(ctx.actor, { trigger: input.trigger, engine: r.engine, cameraId: input.cameraId ?? null, sourceRef: input.sourceRef, frames: 1, facesFound: r.faces.length, matched: matchedSubjects(r.faces) }),
        )();
        d.events.emit('faces.searched', { searchId, trigger: input.trigger, facesFound: r.faces.length, matched: matchedSubjects(r.faces).length });
        return { searchId, width: r.width, height: r.height, faces: r.faces.map((f, i) => ({ ...foundFace(f.face, i), matches: f.candidates })) };
      },

      'faces.check': async (input, ctx) => {
        requireEnabled();
        const cfg = facesConfig(d);
        const frames = (input.frames ?? []).map((f, i) => loadImage(f, `frames[${i}]`));
        if (input.video) {
          const v = input.video;
          const bytes = await sampleFrames(d.ffmpegPath, d.ffprobePath, v.path, v.frames, v.startMs, v.endMs);
          frames.push(...bytes.map((b, i) => ({ bytes: b, label: `${basename(v.path)} frame ${i + 1}` })));
        }
        return check({ frames, trigger: input.trigger, cameraId: input.cameraId ?? null, sourceRef: input.sourceRef }, ctx.actor, cfg);
      },

      'faces.matches': ({ status: st, since, limit }) => {
        const where: string[] = [];
        const params: unknown[] = [];
        if (st) {
          where.push('m.status = ?');
          params.push(st);
        }
        if (since !== undefined) {
          where.push('m.at >= ?');
          params.push(since);
        }
        return listMatches(db, files, where.length ? `WHERE ${where.join(' AND ')}` : '', params, limit);
      },

      'faces.feedback': ({ matchId, verdict }, ctx) => {
        const m = db.prepare('SELECT id, subject_id, probe_descriptor, status FROM face_match WHERE id = ?').get(matchId) as
          | { id: number; subject_id: number; probe_descriptor: Buffer | null; status: FaceMatch['status'] }
          | undefined;
        if (!m) throw new PennyError('not_found', `No face match ${matchId}.`, { field: 'matchId' });
        db.transaction(() => {
          db.prepare('UPDATE face_match SET status = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ?').run(verdict, actorLabel(ctx.actor), clock.now(), matchId);
          db.prepare('DELETE FROM face_rejection WHERE match_id = ?').run(matchId);
          if (verdict === 'not_this_person') {
            db.prepare('INSERT INTO face_rejection (subject_id, probe_descriptor, match_id, created_by, created_at) VALUES (?, ?, ?, ?, ?)').run(
              m.subject_id,
              m.probe_descriptor,
              matchId,
              actorLabel(ctx.actor),
              clock.now(),
            );
          }
          d.audit(ctx.actor, { action: 'faces.feedback', entity: 'face_match', entityId: matchId, details: { verdict, subjectId: m.subject_id } });
        })();
        d.events.emit('faces.matchReviewed', { matchId, verdict });
        return listMatches(db, files, 'WHERE m.id = ?', [matchId], 1)[0]!;
      },

      'faces.eval': async ({ dir }, ctx) => {
        const report = await evaluate(dir);
        db.transaction(() => d.audit(ctx.actor, { action: 'faces.eval', entity: 'faces', entityId: null, details: { images: report.images, rank1: report.rank1 } }))();
        return report;
      },
    },
  };
}
