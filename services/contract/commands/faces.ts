import { z } from 'zod';
import { defineCommand, defineEvent, type EventDef } from '../registry.js';
import { Empty, EpochMs, Id, NonEmpty } from '../common.js';

/**
 * Face search: the privacy switch, the watchlist (subjects with templates), 1:N search, K-of-N
 * return-offender matches, "not this person" feedback and evaluation. Distances are the local
 * engine's Euclidean descriptor distance; similarity is 0–100 for every engine.
 */

/** An image given by path on the station (CLI, an upload's final path, a snapshot) or inline. */
export const ImageRef = z.union([
  z.object({ path: NonEmpty('image path', 4096) }).strict(),
  z
    .object({
      base64: z.string().min(16, 'image data is empty').max(20_000_000, 'image is larger than 15 MB'),
      name: z.string().max(200).optional(),
    })
    .strict(),
]);
export type ImageRef = z.infer<typeof ImageRef>;

export const FaceBox = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });
export const FaceQuality = z.object({
  ok: z.boolean(),
  score: z.number(),
  sizePx: z.number(),
  sharpness: z.number(),
  yawDeg: z.number(),
  rollDeg: z.number(),
  reasons: z.array(z.string()),
});

export const FaceMatchCandidate = z.object({
  subjectId: Id,
  subjectName: z.string(),
  templateId: Id.nullable(),
  /** Euclidean descriptor distance (local engine); null for Rekognition. */
  distance: z.number().nullable(),
  similarity: z.number(),
  /** A reviewer said earlier that a face like this one is not this subject. */
  suppressed: z.boolean(),
});

export const FoundFace = z.object({
  /** Order of the faces: best quality first. Pass it as `face` to enroll. */
  index: z.number().int().nonnegative(),
  box: FaceBox,
  score: z.number(),
  quality: FaceQuality,
  /** JPEG thumbnail, base64. Only returned to the caller; a non-matching probe is never stored. */
  thumbnail: z.string(),
});

export const FacesStatus = z.object({
  enabled: z.boolean(),
  signageAcknowledgedAt: EpochMs.nullable(),
  changedBy: z.string().nullable(),
  engine: z.enum(['local', 'rekognition']),
  maxDistance: z.number(),
  minSimilarity: z.number(),
  agreeK: z.number().int(),
  agreeN: z.number().int(),
  subjects: z.number().int(),
  templates: z.number().int(),
  index: z.enum(['exact', 'hnsw']),
});

export const FaceSubject = z.object({
  id: Id,
  name: z.string(),
  source: z.enum(['local', 'network']),
  networkId: z.string().nullable(),
  caseId: Id.nullable(),
  consentNote: z.string(),
  expiresAt: EpochMs,
  expired: z.boolean(),
  templates: z.number().int(),
  /** Best template's thumbnail, base64 JPEG. */
  thumbnail: z.string().nullable(),
  createdAt: EpochMs,
});
export type FaceSubject = z.infer<typeof FaceSubject>;

export const FaceMatch = z.object({
  id: Id,
  at: EpochMs,
  searchId: Id,
  subjectId: Id,
  subjectName: z.string(),
  templateId: Id.nullable(),
  distance: z.number().nullable(),
  similarity: z.number(),
  framesAgreeing: z.number().int(),
  framesTotal: z.number().int(),
  cameraId: Id.nullable(),
  sourceRef: z.string(),
  status: z.enum(['open', 'confirmed', 'not_this_person']),
  probeThumbnail: z.string().nullable(),
  subjectThumbnail: z.string().nullable(),
});
export type FaceMatch = z.infer<typeof FaceMatch>;

const NewSubject = z
  .object({
    name: NonEmpty('subject name', 120),
    consentNote: NonEmpty('consent / legal-basis note', 2000),
    /** Default: 12 months from enrolment. */
    expiresAt: EpochMs.optional(),
    caseId: Id.optional(),
    source: z.enum(['local', 'network']).default('local'),
    networkId: z.string().max(200).optional(),
  })
  .strict();

export const facesStatus = defineCommand({
  name: 'faces.status',
  access: 'viewer',
  doc: 'Whether biometrics are on, who turned them on, which engine and thresholds, and the watchlist size.',
  input: Empty,
  output: FacesStatus,
});

export const facesEnable = defineCommand({
  name: 'faces.enable',
  access: 'admin',
  doc: 'Turn face search on. The admin must acknowledge that notice signage is posted in the store.',
  input: z.object({ acknowledgeSignage: z.literal(true, { error: 'acknowledge that face-recognition signage is posted (acknowledgeSignage: true)' }) }).strict(),
  output: FacesStatus,
});

export const facesDisable = defineCommand({
  name: 'faces.disable',
  access: 'admin',
  doc: 'Turn face search off. Enrolled subjects stay until erased or expired.',
  input: Empty,
  output: FacesStatus,
});

export const facesDetect = defineCommand({
  name: 'faces.detect',
  access: 'manager',
  doc: 'Find the faces in an image, best quality first, so a reviewer can pick which to enroll. Nothing is kept.',
  input: z.object({ image: ImageRef }).strict(),
  output: z.object({ width: z.number(), height: z.number(), faces: z.array(FoundFace) }),
});

export const facesEnroll = defineCommand({
  name: 'faces.enroll',
  access: 'manager',
  doc: 'Add templates to a watchlist subject (new or existing). Each image gives one face: the one picked by `face`, else the best. Faces below the quality gate are refused.',
  input: z
    .object({
      subjectId: Id.optional(),
      subject: NewSubject.optional(),
      images: z.array(z.object({ image: ImageRef, face: z.number().int().nonnegative().optional() }).strict()).min(1, 'give at least one image').max(50),
      sourceRef: z.string().max(500).default(''),
    })
    .strict()
    .refine((v) => (v.subjectId === undefined) !== (v.subject === undefined), 'give either subjectId (add to a subject) or subject (create one), not both'),
  output: z.object({
    subject: FaceSubject,
    added: z.array(z.object({ templateId: Id, image: z.number().int(), quality: FaceQuality })),
    rejected: z.array(z.object({ image: z.number().int(), reason: z.string() })),
  }),
});

export const facesSubjects = defineCommand({
  name: 'faces.subjects',
  access: 'viewer',
  doc: 'The watchlist. Expired subjects are listed only when asked (they are no longer searched).',
  input: z.object({ includeExpired: z.boolean().default(false) }).strict(),
  output: z.array(FaceSubject),
});

export const facesSubjectUpdate = defineCommand({
  name: 'faces.subjectUpdate',
  access: 'manager',
  doc: 'Rename a subject, change its consent note or its expiry.',
  input: z
    .object({ id: Id, name: NonEmpty('subject name', 120).optional(), consentNote: NonEmpty('consent / legal-basis note', 2000).optional(), expiresAt: EpochMs.optional() })
    .strict(),
  output: FaceSubject,
});

export const facesErase = defineCommand({
  name: 'faces.erase',
  access: 'admin',
  doc: 'Erase a subject everywhere on the station: templates, thumbnails, matches and feedback (and its faces in the Rekognition collection).',
  input: z.object({ subjectId: Id }).strict(),
  output: z.object({ ok: z.literal(true), templatesRemoved: z.number().int(), filesRemoved: z.number().int(), matchesRemoved: z.number().int() }),
});

const SearchTrigger = z.enum(['upload', 'snapshot', 'clip', 'cli', 'mqtt', 'transaction']);

export const facesSearch = defineCommand({
  name: 'faces.search',
  access: 'manager',
  doc: 'Search one image against the watchlist: every face found, with its best matches. Audited; raises no alert.',
  input: z
    .object({ image: ImageRef, trigger: SearchTrigger.default('upload'), cameraId: Id.optional(), sourceRef: z.string().max(500).default(''), limit: z.number().int().min(1).max(20).default(3) })
    .strict(),
  output: z.object({
    searchId: Id,
    width: z.number(),
    height: z.number(),
    faces: z.array(FoundFace.extend({ matches: z.array(FaceMatchCandidate) })),
  }),
});

export const facesCheck = defineCommand({
  name: 'faces.check',
  access: 'manager',
  doc: 'Check frames of one scene (snapshots, or 5–10 frames sampled from a clip) and raise a return-offender match when K of N frames agree on a subject.',
  input: z
    .object({
      frames: z.array(ImageRef).max(20).optional(),
      video: z.object({ path: NonEmpty('video path', 4096), frames: z.number().int().min(1).max(20).default(8), startMs: z.number().int().nonnegative().optional(), endMs: z.number().int().positive().optional() }).strict().optional(),
      trigger: SearchTrigger.default('snapshot'),
      cameraId: Id.optional(),
      sourceRef: z.string().max(500).default(''),
    })
    .strict()
    .refine((v) => (v.frames?.length ?? 0) > 0 || v.video, 'give frames (1–20 images) or a video'),
  output: z.object({
    searchId: Id,
    framesTotal: z.number().int(),
    facesFound: z.number().int(),
    required: z.number().int(),
    candidates: z.array(z.object({ subjectId: Id, subjectName: z.string(), framesAgreeing: z.number().int(), bestSimilarity: z.number(), suppressed: z.boolean() })),
    matches: z.array(FaceMatch),
  }),
});

export const facesMatches = defineCommand({
  name: 'faces.matches',
  access: 'viewer',
  doc: 'Return-offender matches, newest first, for Monitor.',
  input: z.object({ status: z.enum(['open', 'confirmed', 'not_this_person']).optional(), since: EpochMs.optional(), limit: z.number().int().min(1).max(500).default(50) }).strict(),
  output: z.array(FaceMatch),
});

export const facesFeedback = defineCommand({
  name: 'faces.feedback',
  access: 'manager',
  doc: 'Confirm a match, or say "not this person": that pairing (this face and this subject) no longer raises alerts.',
  input: z.object({ matchId: Id, verdict: z.enum(['confirmed', 'not_this_person']) }).strict(),
  output: FaceMatch,
});

export const facesEval = defineCommand({
  name: 'faces.eval',
  access: 'admin',
  doc: 'Evaluate the local engine on a folder holding one sub-folder of photos per identity: rank-1 (leave-one-out), TAR at FAR 1e-3 and 1e-2, the threshold chosen, and images without a detectable face.',
  input: z.object({ dir: NonEmpty('folder', 4096) }).strict(),
  output: z.object({
    identities: z.number().int(),
    images: z.number().int(),
    imagesWithFace: z.number().int(),
    noFace: z.array(z.string()),
    rank1: z.number(),
    rank1Correct: z.number().int(),
    rank1Trials: z.number().int(),
    rank1Failures: z.array(z.object({ image: z.string(), predicted: z.string(), distance: z.number() })),
    genuinePairs: z.number().int(),
    impostorPairs: z.number().int(),
    tar: z.array(z.object({ far: z.number(), tar: z.number(), threshold: z.number(), achievedFar: z.number() })),
    eer: z.number(),
    chosenThreshold: z.number(),
    chosenBy: z.string(),
    msPerImage: z.number(),
  }),
});

export const facesCommands = [
  facesStatus,
  facesEnable,
  facesDisable,
  facesDetect,
  facesEnroll,
  facesSubjects,
  facesSubjectUpdate,
  facesErase,
  facesSearch,
  facesCheck,
  facesMatches,
  facesFeedback,
  facesEval,
] as const;

export const facesEvents: readonly EventDef[] = [
  defineEvent({ name: 'faces.privacyChanged', doc: 'Face search was turned on or off.', payload: z.object({ enabled: z.boolean() }) }),
  defineEvent({ name: 'faces.subjectEnrolled', doc: 'Templates were added to a watchlist subject.', payload: z.object({ subjectId: Id, templates: z.number().int() }) }),
  defineEvent({ name: 'faces.subjectErased', doc: 'A subject and its templates were erased.', payload: z.object({ subjectId: Id }) }),
  defineEvent({ name: 'faces.searched', doc: 'A face search ran (ids only).', payload: z.object({ searchId: Id, trigger: z.string(), facesFound: z.number().int(), matched: z.number().int() }) }),
  defineEvent({
    name: 'faces.matched',
    doc: 'A return-offender match: K of N frames agreed on a watchlist subject. Monitor and the alerts outbox pick it up.',
    payload: z.object({
      matchId: Id,
      subjectId: Id,
      similarity: z.number(),
      cameraId: Id.nullable(),
      at: EpochMs,
      framesAgreeing: z.number().int(),
      framesTotal: z.number().int(),
      /** The probe face's JPEG inside the data folder, for an e-mail attachment. */
      thumbnailPath: z.string().nullable(),
    }),
  }),
  defineEvent({ name: 'faces.matchReviewed', doc: 'A reviewer confirmed a match or said "not this person".', payload: z.object({ matchId: Id, verdict: z.string() }) }),
  defineEvent({ name: 'faces.progress', doc: 'Progress of long face work (enrolment, evaluation).', payload: z.object({ job: z.string(), done: z.number().int(), total: z.number().int() }) }),
];

