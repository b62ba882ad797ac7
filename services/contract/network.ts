import { z } from 'zod';

/**
 * Station ↔ Penny Network API (`/v1`). The network server validates every request and response
 * against these schemas, and the station's sync uses the same ones, so both sides agree by
 * construction. Money is integer cents, instants are UTC epoch ms, ids are opaque strings.
 */

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256 (64 characters)');
const cents = z.number().int().nonnegative();
const epochMs = z.number().int().nonnegative();
export const NETWORK_FACE_DIMENSIONS = 128;
export const NETWORK_MAX_EVIDENCE_BYTES = 2 * 1024 * 1024 * 1024;
export const NETWORK_MAX_CHUNK_BYTES = 8 * 1024 * 1024;

export const NetworkErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

/** `POST /v1/pair` (no auth): trade a one-time pairing code for a station API key. */
export const NetworkPairRequest = z.object({
  code: z.string().min(6).max(64),
  stationName: z.string().trim().min(1).max(120),
});
export const NetworkPairResponse = z.object({
  stationId: z.string(),
  storeId: z.string(),
  regionId: z.string(),
  /** Shown once; the network keeps only its SHA-256. */
  apiKey: z.string(),
});

export const NetworkEvidenceManifestItem = z.object({
  name: z.string().trim().min(1).max(200).regex(/^[^/\\]+$/, 'must be a file name without folders'),
  kind: z.enum(['video', 'image', 'document']),
  mime: z.string().regex(/^[a-z]+\/[a-z0-9.+-]+$/, 'must be a MIME type like video/mp4'),
  size: z.number().int().positive().max(NETWORK_MAX_EVIDENCE_BYTES),
  sha256: sha256Hex,
});

/** `POST /v1/cases` with an `Idempotency-Key` header: a confirmed case with its evidence manifest. */
export const NetworkCaseIntake = z.object({
  stationCaseRef: z.string().trim().min(1).max(120),
  occurredAt: epochMs,
  amountCents: cents.max(10_000_000),
  summary: z.string().trim().min(1).max(2000),
  /** The model's debug output for reviewers: detector scores and the frames used for matching. */
  debug: z
    .object({
      detectorScores: z.array(z.object({ label: z.string().max(80), score: z.number().min(0).max(1) })).max(100).default([]),
      matchFrames: z.array(z.object({ evidence: z.string().max(200), atMs: z.number().int().nonnegative() })).max(100).default([]),
    })
    .default({ detectorScores: [], matchFrames: [] }),
  evidence: z.array(NetworkEvidenceManifestItem).min(1).max(50),
  faceTemplates: z.array(z.array(z.number().finite()).length(NETWORK_FACE_DIMENSIONS)).max(20).default([]),
});

export const NetworkEvidenceProgress = z.object({
  id: z.string(),
  name: z.string(),
  size: z.number().int(),
  receivedBytes: z.number().int(),
  complete: z.boolean(),
});

export const NetworkCaseStatusValue = z.enum(['receiving', 'pending_review', 'approved', 'rejected']);
export const NetworkCaseStatus = z.object({
  id: z.string(),
  stationCaseRef: z.string(),
  status: NetworkCaseStatusValue,
  reviewReason: z.string().nullable(),
  offenderId: z.string().nullable(),
  amountCents: cents,
  debtStatus: z.enum(['none', 'open', 'disputed', 'paid', 'void']),
  evidence: z.array(NetworkEvidenceProgress),
  createdAt: epochMs,
});
export const NetworkCaseIntakeResponse = NetworkCaseStatus.extend({ replayed: z.boolean() });

/** `PUT /v1/cases/:id/evidence/:evidenceId?offset=N` (octet-stream chunk). */
export const NetworkChunkQuery = z.object({ offset: z.coerce.number().int().nonnegative() });
export const NetworkChunkResponse = NetworkEvidenceProgress;

/** `GET /v1/watchlist?cursor=` delta feed for the station's region. */
export const NetworkCursorQuery = z.object({
  cursor: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export const NetworkWatchlistChange = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('upsert'),
    seq: z.number().int(),
    offenderId: z.string(),
    expiresAt: epochMs.nullable(),
    templates: z.array(z.object({ id: z.string(), vector: z.array(z.number()) })),
  }),
  z.object({
    kind: z.literal('remove'),
    seq: z.number().int(),
    offenderId: z.string(),
    reason: z.enum(['expired', 'redacted', 'removed', 'merged']),
  }),
]);
export const NetworkWatchlistPage = z.object({
  changes: z.array(NetworkWatchlistChange),
  cursor: z.number().int(),
  hasMore: z.boolean(),
});

export const NetworkAlert = z.object({
  seq: z.number().int(),
  offenderId: z.string(),
  kind: z.enum(['promoted', 'returned']),
  message: z.string(),
  sourceStoreId: z.string(),
  createdAt: epochMs,
});
export const NetworkAlertsPage = z.object({ alerts: z.array(NetworkAlert), cursor: z.number().int(), hasMore: z.boolean() });

/** `GET /v1/ledger`: the store's commission ledger and its payments. */
export const NetworkLedgerEntry = z.object({
  id: z.string(),
  caseId: z.string(),
  paymentId: z.string(),
  grossCents: cents,
  rateBps: z.number().int(),
  /** What the store receives: gross minus the network's commission. */
  storeShareCents: cents,
  /** The network's commission. */
  networkShareCents: cents,
  createdAt: epochMs,
});
export const NetworkLedger = z.object({
  storeId: z.string(),
  entries: z.array(NetworkLedgerEntry),
  totals: z.object({ grossCents: cents, storeShareCents: cents, networkShareCents: cents }),
  debts: z.array(z.object({ caseId: z.string(), amountCents: cents, status: z.enum(['open', 'disputed', 'paid', 'void']) })),
});

/** `POST /v1/notices`: a QR / notice link for an approved case of this store. */
export const NetworkNoticeRequest = z.object({ caseId: z.string().min(1).max(80) });
export const NetworkNoticeResponse = z.object({
  noticeId: z.string(),
  caseId: z.string(),
  url: z.string(),
  expiresAt: epochMs,
  /** The link as a QR code, an SVG document for printing. */
  qrSvg: z.string(),
});

/** `POST /v1/support`. */
export const NetworkSupportRequest = z.object({
  topic: z.enum(['sync', 'review', 'payments', 'privacy', 'other']),
  message: z.string().trim().min(1).max(5000),
});
export const NetworkSupportResponse = z.object({ id: z.string(), receivedAt: epochMs });

/** `GET /health`. */
export const NetworkHealth = z.object({
  ok: z.literal(true),
  db: z.enum(['pglite', 'postgres']),
  migrationVersion: z.number().int(),
  vectorSearch: z.enum(['pgvector', 'exact']),
  version: z.string(),
});

export type NetworkCaseIntakeInput = z.input<typeof NetworkCaseIntake>;
export type NetworkCaseStatusT = z.output<typeof NetworkCaseStatus>;
export type NetworkWatchlistPageT = z.output<typeof NetworkWatchlistPage>;
export type NetworkLedgerT = z.output<typeof NetworkLedger>;
