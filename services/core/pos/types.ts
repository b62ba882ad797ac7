import type { TxnType } from '../../contract/commands/pos.js';

/** A transaction as a parser hands it over, before registers and employees are resolved to ids. */
export interface ParsedTxn {
  /** Unique across all files of this source, so an overlapping file adds nothing twice. */
  naturalKey: string;
  externalId: string | null;
  register: string | null;
  /** True when the register is the store default rather than read from the file (then the cashier's own register wins). */
  registerIsDefault?: boolean;
  employee: string | null;
  type: TxnType;
  rawType: string;
  /** Local wall-clock time as written in the file, ISO-like (2025-07-08T23:51:00). */
  wallTime: string;
  startedAt: number;
  endedAt: number | null;
  amountCents: number;
  taxCents: number;
  discountCents: number;
  card: string | null;
  flags: string[];
  lines: ParsedLine[];
  tenders: ParsedTender[];
}

export interface ParsedLine {
  seq: number;
  kind: string;
  description: string;
  quantity: number | null;
  amountCents: number;
  status: string;
  approver: string | null;
}

export interface ParsedTender {
  code: string;
  subCode: string;
  amountCents: number;
  card: string | null;
}

/** A row the parser could not read: where, which field, and why. */
export interface Rejection {
  row: number | string;
  field: string;
  message: string;
}

export type ParseItem = { ok: true; txn: ParsedTxn } | { ok: false; rejection: Rejection };

export interface ParseProgress {
  rows: number;
  bytes: number;
}
