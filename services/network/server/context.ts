import type { Kysely, Transaction } from 'kysely';
import type Stripe from 'stripe';
import type { NetworkDB } from '../db/schema.js';
import type { EvidenceStore } from './storage.js';

export type Db = Kysely<NetworkDB> | Transaction<NetworkDB>;

export interface NetLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Everything a network module needs, built once by createNetworkServer. */
export interface Net {
  db: Kysely<NetworkDB>;
  now(): number;
  /** Signs evidence URLs. */
  secret: Buffer;
  storage: EvidenceStore;
  /** Base URL people reach (QR links, Stripe return URLs), without a trailing slash. */
  publicUrl(): string;
  stripe: Stripe | undefined;
  stripeWebhookSecret: string | undefined;
  vectorSearch: 'pgvector' | 'exact';
  log: NetLogger;
}

/** Appends to the network audit log inside the caller's transaction. Details hold ids, never names or payment data. */
export async function audit(db: Db, at: number, actor: string, action: string, entity: string, entityId: string, details: Record<string, unknown> = {}) {
  await db.insertInto('audit_log').values({ at, actor, action, entity, entity_id: entityId, details: JSON.stringify(details) }).execute();
}
