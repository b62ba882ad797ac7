import type { Generated } from 'kysely';

/** Kysely's view of the network database (see migrations.ts). bigint columns come back as numbers. */
export interface NetworkDB {
  organizations: { id: string; name: string; created_at: number };
  regions: { id: string; org_id: string; name: string; created_at: number };
  stores: { id: string; org_id: string; region_id: string; name: string; created_at: number };
  offenders: {
    id: string;
    region_id: string;
    status: 'candidate' | 'network' | 'removed' | 'redacted' | 'merged';
    merged_into: string | null;
    expires_at: number | null;
    created_at: number;
    updated_at: number;
  };
  users: {
    id: string;
    email: string;
    password_hash: string;
    role: 'ops' | 'store_admin' | 'subject';
    store_id: string | null;
    offender_id: string | null;
    created_at: number;
  };
  sessions: { id_hash: string; user_id: string; csrf: string; created_at: number; expires_at: number };
  stations: { id: string; store_id: string; name: string; key_hash: string; created_at: number; revoked_at: number | null };
  pair_codes: {
    code_hash: string;
    store_id: string;
    created_by: string;
    created_at: number;
    expires_at: number;
    used_at: number | null;
    station_id: string | null;
  };
  cases: {
    id: string;
    store_id: string;
    station_id: string;
    idempotency_key: string;
    request_hash: string;
    station_case_ref: string;
    status: 'receiving' | 'pending_review' | 'approved' | 'rejected';
    amount_cents: number;
    occurred_at: number;
    summary: string;
    debug: unknown;
    offender_id: string | null;
    review_reason: string | null;
    reviewed_by: string | null;
    reviewed_at: number | null;
    created_at: number;
  };
  evidence: {
    id: string;
    case_id: string;
    store_id: string;
    position: number;
    name: string;
    kind: string;
    mime: string;
    size: number;
    sha256: string;
    received_bytes: Generated<number>;
    status: 'uploading' | 'complete';
    storage_key: string;
    created_at: number;
    completed_at: number | null;
  };
  face_templates: {
    id: string;
    offender_id: string | null;
    case_id: string;
    store_id: string;
    embedding: number[];
    created_at: number;
  };
  watchlist_changes: {
    seq: Generated<number>;
    region_id: string;
    offender_id: string;
    kind: 'upsert' | 'remove';
    reason: string;
    at: number;
  };
  alerts: {
    seq: Generated<number>;
    region_id: string;
    offender_id: string;
    case_id: string;
    source_store_id: string;
    kind: string;
    message: string;
    case_received_at: number;
    created_at: number;
  };
  network_settings: { key: string; value: unknown; updated_at: number; updated_by: string };
  debts: {
    id: string;
    case_id: string;
    store_id: string;
    offender_id: string;
    amount_cents: number;
    status: 'open' | 'disputed' | 'paid' | 'void';
    payment_id: string | null;
    paid_at: number | null;
    created_at: number;
  };
  notices: {
    id: string;
    case_id: string;
    store_id: string;
    offender_id: string;
    token_hash: string;
    expires_at: number;
    consumed_at: number | null;
    consumed_by: string | null;
    created_at: number;
  };
  payments: {
    id: string;
    offender_id: string;
    user_id: string;
    stripe_session_id: string | null;
    amount_cents: number;
    currency: string;
    status: 'pending' | 'paid' | 'expired';
    receipt_number: string | null;
    created_at: number;
    paid_at: number | null;
  };
  payment_debts: { payment_id: string; debt_id: string; amount_cents: number };
  stripe_events: { id: string; type: string; outcome: string; received_at: number };
  ledger_entries: {
    id: string;
    store_id: string;
    payment_id: string;
    debt_id: string;
    gross_cents: number;
    rate_bps: number;
    store_share_cents: number;
    network_share_cents: number;
    created_at: number;
  };
  disputes: {
    id: string;
    offender_id: string;
    user_id: string;
    reason: string;
    status: 'open' | 'upheld' | 'rejected';
    resolution: string | null;
    resolved_by: string | null;
    created_at: number;
    resolved_at: number | null;
  };
  dispute_attachments: {
    id: string;
    dispute_id: string;
    name: string;
    mime: string;
    size: number;
    sha256: string;
    storage_key: string;
    created_at: number;
  };
  notifications: {
    id: string;
    audience: 'store' | 'ops' | 'subject';
    store_id: string | null;
    user_id: string | null;
    kind: string;
    message: string;
    created_at: number;
  };
  support_requests: { id: string; store_id: string; station_id: string; topic: string; message: string; created_at: number };
  audit_log: {
    id: Generated<number>;
    at: number;
    actor: string;
    action: string;
    entity: string;
    entity_id: string;
    details: unknown;
  };
}
