import { z } from 'zod';
import { defineCommand, defineEvent } from '../registry.js';
import { Cents, EpochMs, Id } from '../common.js';
import { Transaction, TransactionDetail, TxnType } from './pos.js';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time must be HH:MM (24-hour)');

/** Which transactions a rule looks at. Every given condition must hold. */
export const TxnFilter = z
  .object({
    types: z.array(TxnType).min(1).optional(),
    /** Compare the absolute amount (default), so "refund over $50" works with negative refund amounts. */
    absAmount: z.boolean().default(true),
    minAmountCents: Cents.optional(),
    maxAmountCents: Cents.optional(),
    /** At least one of these flags (e.g. line_void, manual_discount, override). */
    flagsAny: z.array(z.string().max(40)).optional(),
    /** None of these flags. */
    flagsNone: z.array(z.string().max(40)).optional(),
    /** Local wall-clock time of day; from > to wraps past midnight (22:00–06:00). */
    timeOfDay: z.object({ from: HHMM, to: HHMM }).optional(),
    registers: z.array(z.string().max(40)).optional(),
    employees: z.array(z.string().max(120)).optional(),
  })
  .strict();
export type TxnFilter = z.infer<typeof TxnFilter>;

export const GroupBy = z.enum(['register', 'employee', 'store', 'card']);

const base = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'rule id is lower-case letters, digits and dashes (max 63)'),
  name: z.string().trim().min(1, 'rule name is required').max(120),
  description: z.string().max(500).default(''),
  enabled: z.boolean().default(true),
  severity: Severity,
};

export const RuleDefinition = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('match'), match: TxnFilter }).strict(),
  z
    .object({
      ...base,
      kind: z.literal('window'),
      match: TxnFilter,
      /** At least this many matching transactions … */
      count: z.number().int().min(2).max(1000),
      /** … within this many minutes of each other (inclusive). */
      withinMinutes: z.number().positive().max(60 * 24 * 31),
      per: GroupBy.default('register'),
    })
    .strict(),
  z
    .object({
      ...base,
      kind: z.literal('sequence'),
      first: TxnFilter,
      then: TxnFilter,
      withinMinutes: z.number().positive().max(60 * 24 * 31),
      per: GroupBy.default('register'),
      /** The two must have the same absolute amount (a refund of exactly a recent sale). */
      sameAmount: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      ...base,
      kind: z.literal('baseline'),
      match: TxnFilter,
      /** Look-back period for the rates. */
      periodDays: z.number().int().min(1).max(365).default(30),
      /** Flag an employee whose rate is at least this many standard deviations above peers. */
      minZ: z.number().positive().max(20).default(2),
      /** Ignore employees with fewer matching transactions than this. */
      minEvents: z.number().int().min(1).default(3),
      /** Need at least this many other employees to compare with. */
      minPeers: z.number().int().min(1).default(2),
    })
    .strict(),
]);
export type RuleDefinition = z.infer<typeof RuleDefinition>;

export const Rule = z.object({ definition: RuleDefinition, builtIn: z.boolean(), updatedAt: EpochMs });
export type Rule = z.infer<typeof Rule>;

export const EXCEPTION_STATUSES = ['open', 'approved', 'investigating', 'escalated', 'confirmed', 'dismissed'] as const;
export const ExceptionStatus = z.enum(EXCEPTION_STATUSES);

export const ExceptionReason = z.object({
  ruleId: z.string(),
  ruleName: z.string(),
  severity: Severity,
  detail: z.string(),
  /** Other transactions that made this rule fire (the rest of a burst, the earlier refund). */
  related: z.array(Id),
});

export const ExceptionSummary = z.object({
  id: Id,
  transactionId: Id,
  status: ExceptionStatus,
  severity: Severity,
  reasons: z.array(ExceptionReason),
  startedAt: EpochMs,
  type: TxnType,
  register: z.string().nullable(),
  employee: z.string().nullable(),
  amountCents: Cents,
  createdAt: EpochMs,
  updatedAt: EpochMs,
});
export type ExceptionSummary = z.infer<typeof ExceptionSummary>;

export const rulesList = defineCommand({
  name: 'rules.list',
  access: 'viewer',
  doc: 'All exception rules (the default pack and the store’s own).',
  input: z.object({}).strict(),
  output: z.array(Rule),
});

export const rulesSave = defineCommand({
  name: 'rules.save',
  access: 'admin',
  doc: 'Create or replace rules by id (one or many). Existing exceptions stay; run rules to apply.',
  input: z.object({ rules: z.array(RuleDefinition).min(1).max(500) }),
  output: z.array(Rule),
});

export const rulesRemove = defineCommand({
  name: 'rules.remove',
  access: 'admin',
  doc: 'Delete a rule. Exceptions it raised stay, with their reasons.',
  input: z.object({ id: z.string().max(63) }),
  output: z.object({ ok: z.literal(true) }),
});

export const rulesPreview = defineCommand({
  name: 'rules.preview',
  access: 'manager',
  doc: 'What a (draft) rule would flag over the last N days, with examples. Stores nothing.',
  input: z.object({ rule: RuleDefinition, days: z.number().int().min(1).max(365).default(30), examples: z.number().int().min(0).max(50).default(10) }),
  output: z.object({ count: z.number().int(), since: EpochMs, until: EpochMs, examples: z.array(Transaction.extend({ detail: z.string() })) }),
});

export const rulesRun = defineCommand({
  name: 'rules.run',
  access: 'manager',
  doc: 'Run the enabled rules over transactions since a time (default: the last 30 days). Never duplicates an exception.',
  input: z.object({ since: EpochMs.optional(), until: EpochMs.optional() }),
  output: z.object({ since: EpochMs, until: EpochMs, evaluated: z.number().int(), flagged: z.number().int(), created: z.number().int(), updated: z.number().int() }),
});

/** The filters exceptions.list and review.list share (one SQL builder serves both in the core). */
export const ExceptionFilterInput = z.object({
  since: EpochMs.optional(),
  until: EpochMs.optional(),
  register: z.string().max(40).optional(),
  employee: z.string().max(120).optional(),
  type: TxnType.optional(),
  rule: z.string().max(63).optional(),
  status: ExceptionStatus.optional(),
  severity: Severity.optional(),
});

export const exceptionsList = defineCommand({
  name: 'exceptions.list',
  access: 'viewer',
  doc: 'Exceptions, newest transaction first, filtered and paged by cursor (fast on 100k rows).',
  input: ExceptionFilterInput.extend({
    limit: z.number().int().min(1).max(1000).default(100),
    cursor: z.string().max(100).optional(),
    /** Also count all matches (one more query). */
    withTotal: z.boolean().default(false),
  }),
  output: z.object({ items: z.array(ExceptionSummary), nextCursor: z.string().nullable(), total: z.number().int().nullable() }),
});

export const exceptionsGet = defineCommand({
  name: 'exceptions.get',
  access: 'viewer',
  doc: 'One exception with its reasons and linked transactions (lines and tenders).',
  input: z.object({ id: Id }),
  output: ExceptionSummary.extend({ transactions: z.array(TransactionDetail.extend({ role: z.enum(['primary', 'related']) })) }),
});

export const exceptionsSetStatus = defineCommand({
  name: 'exceptions.setStatus',
  access: 'manager',
  doc: 'Tag an exception (approved, investigating, escalated, confirmed, dismissed, or back to open). Audited.',
  input: z.object({ id: Id, status: ExceptionStatus, note: z.string().max(2000).optional() }),
  output: ExceptionSummary,
});

export const rulesCommands = [rulesList, rulesSave, rulesRemove, rulesPreview, rulesRun, exceptionsList, exceptionsGet, exceptionsSetStatus] as const;

export const exceptionFlagged = defineEvent({
  name: 'exception.flagged',
  doc: 'A new exception was created by a rule run (on import or on demand).',
  payload: z.object({ id: z.number(), transactionId: z.number(), severity: Severity, ruleIds: z.array(z.string()), startedAt: z.number() }),
});

export const exceptionUpdated = defineEvent({
  name: 'exception.updated',
  doc: 'An exception changed: new reasons from a rule run, or a status tag.',
  payload: z.object({ id: z.number(), status: ExceptionStatus, severity: Severity }),
});

export const rulesEvents = [exceptionFlagged, exceptionUpdated] as const;
