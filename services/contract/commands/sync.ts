import { z } from 'zod';
import { defineCommand, defineEvent } from '../registry.js';
import { Empty, EpochMs, Id, Ok } from '../common.js';

/**
 * Sync with the Penny Network. Confirmed cases go through a durable outbox (one entry per case
 * revision, each with its own idempotency key); feeds (watchlist, return alerts, Ops decisions,
 * ledger) are pulled with one persisted cursor each.
 */

export const SYNC_STATUSES = ['queued', 'sending', 'sent', 'accepted', 'rejected', 'failed'] as const;
export const SyncEntryStatus = z.enum(SYNC_STATUSES);
export const SyncConnection = z.enum(['unpaired', 'unknown', 'online', 'offline', 'revoked']);

export const SyncStatus = z.object({
  paired: z.boolean(),
  url: z.string().nullable(),
  stationId: z.string().nullable(),
  storeId: z.string().nullable(),
  regionId: z.string().nullable(),
  connection: SyncConnection,
  /** Plain words for the UI and the CLI ("Not paired with a Penny Network."). */
  message: z.string(),
  lastPushAt: EpochMs.nullable(),
  lastPullAt: EpochMs.nullable(),
  lastError: z.string().nullable(),
  /** Cases waiting to reach the network (queued, sending, or failed and waiting to retry). */
  pending: z.number().int(),
  counts: z.record(z.string(), z.number().int()),
  cursors: z.record(z.string(), z.number().int()),
  running: z.boolean(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

export const SyncRunResult = z.object({
  pushed: z.number().int(),
  failed: z.number().int(),
  errors: z.array(z.string()),
  pulled: z.object({
    watchlistChanges: z.number().int(),
    alerts: z.number().int(),
    decisions: z.number().int(),
    ledger: z.boolean(),
  }),
  pending: z.number().int(),
  connection: SyncConnection,
});

export const SyncOutboxEntry = z.object({
  id: Id,
  caseId: Id,
  revision: z.number().int(),
  status: SyncEntryStatus,
  networkCaseId: z.string().nullable(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  decisionReason: z.string().nullable(),
  evidence: z.array(z.object({ name: z.string(), size: z.number().int(), sentBytes: z.number().int(), complete: z.boolean() })),
  createdAt: EpochMs,
  sentAt: EpochMs.nullable(),
  decidedAt: EpochMs.nullable(),
});

export const syncPair = defineCommand({
  name: 'sync.pair',
  access: 'admin',
  doc: 'Pair this station with a Penny Network: trades a one-time pairing code for a station API key, stored encrypted.',
  input: z.object({
    url: z
      .string()
      .trim()
      .url('network URL must look like https://network.example.com')
      .refine((u) => /^https?:\/\//.test(u), 'network URL must start with http:// or https://'),
    code: z.string().trim().min(6, 'pairing code is at least 6 characters').max(64),
    stationName: z.string().trim().min(1).max(120).optional(),
  }),
  output: SyncStatus,
});

export const syncUnpair = defineCommand({
  name: 'sync.unpair',
  access: 'admin',
  doc: 'Forget the network pairing and its API key. The outbox stays; it is sent after pairing again.',
  input: Empty,
  output: Ok,
});

export const syncStatus = defineCommand({
  name: 'sync.status',
  access: 'viewer',
  doc: 'Pairing, connection state, last sync, pending cases and feed cursors.',
  input: Empty,
  output: SyncStatus,
});

export const syncRun = defineCommand({
  name: 'sync.run',
  access: 'manager',
  doc: 'Sync now: push waiting cases and/or pull feeds (both when neither is given). Waiting retries are due at once.',
  input: z.object({ push: z.boolean().optional(), pull: z.boolean().optional() }).strict(),
  output: SyncRunResult,
});

export const syncOutbox = defineCommand({
  name: 'sync.outbox',
  access: 'viewer',
  doc: 'Outbox entries (newest first), optionally of one status.',
  input: z.object({ status: SyncEntryStatus.optional(), limit: z.number().int().min(1).max(1000).default(200) }).strict(),
  output: z.array(SyncOutboxEntry),
});

export const syncNetwork = defineCommand({
  name: 'sync.network',
  access: 'viewer',
  doc: 'What the network told this station: watchlist offenders of the region and return alerts.',
  input: Empty,
  output: z.object({
    offenders: z.array(z.object({ offenderId: z.string(), expiresAt: EpochMs.nullable(), templates: z.number().int(), updatedAt: EpochMs })),
    alerts: z.array(z.object({ seq: z.number().int(), offenderId: z.string(), kind: z.string(), message: z.string(), createdAt: EpochMs, alertId: z.number().int().nullable() })),
  }),
});

export const syncRecovery = defineCommand({
  name: 'sync.recovery',
  access: 'manager',
  doc: 'Recovery: the commission ledger (as last pulled), notices made here, outstanding debts, and approved cases that can get a notice.',
  input: Empty,
  output: z.object({
    fetchedAt: EpochMs.nullable(),
    totals: z.object({ grossCents: z.number().int(), storeShareCents: z.number().int(), networkShareCents: z.number().int() }),
    entries: z.array(z.object({ id: z.string(), caseId: z.string(), grossCents: z.number().int(), storeShareCents: z.number().int(), networkShareCents: z.number().int(), createdAt: EpochMs })),
    debts: z.array(z.object({ caseId: z.string(), amountCents: z.number().int(), status: z.string() })),
    notices: z.array(z.object({ noticeId: z.string(), networkCaseId: z.string(), caseId: z.number().int().nullable(), url: z.string(), expiresAt: EpochMs, createdAt: EpochMs })),
    approved: z.array(z.object({ caseId: Id, networkCaseId: z.string(), amountCents: z.number().int().nullable() })),
  }),
});

export const syncNotice = defineCommand({
  name: 'sync.notice',
  access: 'manager',
  doc: 'Ask the network for a notice link and QR code for a case it approved (by local case id).',
  input: z.object({ caseId: Id }).strict(),
  output: z.object({ noticeId: z.string(), networkCaseId: z.string(), url: z.string(), expiresAt: EpochMs, qrSvg: z.string() }),
});

export const syncCommands = [syncPair, syncUnpair, syncStatus, syncRun, syncOutbox, syncNetwork, syncRecovery, syncNotice] as const;

export const syncEvents = [
  defineEvent({
    name: 'sync.progress',
    doc: 'Progress of a sync run: bytes of one case, or cases of the push.',
    payload: z.object({ phase: z.enum(['push', 'upload', 'pull']), done: z.number(), total: z.number(), caseId: Id.optional() }),
  }),
  defineEvent({
    name: 'sync.statusChanged',
    doc: 'Connection state or the pending count changed.',
    payload: z.object({ connection: SyncConnection, pending: z.number().int() }),
  }),
  defineEvent({
    name: 'sync.caseDecided',
    doc: 'Penny Ops accepted or rejected a case this station sent.',
    payload: z.object({ caseId: Id, status: z.enum(['accepted', 'rejected']) }),
  }),
  defineEvent({
    name: 'sync.networkAlert',
    doc: 'A network return alert for this region arrived.',
    payload: z.object({ seq: z.number().int(), offenderId: z.string(), alertId: z.number().int().nullable() }),
  }),
] as const;
