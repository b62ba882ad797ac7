import { z } from 'zod';
import { defineCommand, defineEvent } from '../registry.js';
import { Cents, EpochMs, Id, NonEmpty } from '../common.js';
import { ExceptionFilterInput, ExceptionSummary } from './rules.js';

/**
 * Cases: one or more exceptions grouped for investigation, with an amount, an offender candidate,
 * notes, an assignee and a status. Confirmed cases leave the store through the sync outbox
 * (which listens for case.confirmed); the review list adds notes search on top of exceptions.
 */

export const CASE_STATUSES = ['open', 'investigating', 'escalated', 'confirmed', 'dismissed', 'approved'] as const;
export const CaseStatus = z.enum(CASE_STATUSES);
export type CaseStatus = z.infer<typeof CaseStatus>;

/** What a reviewer can tag a case (or an exception) with; confirm has its own command because it needs a reason. */
export const CASE_TAGS = ['approved', 'investigate', 'escalate', 'dismiss', 'reopen'] as const;
export const CaseTag = z.enum(CASE_TAGS);
export type CaseTag = z.infer<typeof CaseTag>;

export const Note = z.object({
  id: Id,
  caseId: Id.nullable(),
  exceptionId: Id.nullable(),
  at: EpochMs,
  /** Audit label of the author, e.g. "user:2:maria". */
  author: z.string(),
  text: z.string(),
});
export type Note = z.infer<typeof Note>;

export const Case = z.object({
  id: Id,
  title: z.string(),
  status: CaseStatus,
  amountCents: Cents,
  amountSource: z.enum(['transactions', 'entered']),
  offender: z.string().nullable(),
  subjectId: Id.nullable(),
  assigneeUserId: Id.nullable(),
  exceptionIds: z.array(Id),
  createdBy: z.string(),
  createdAt: EpochMs,
  updatedAt: EpochMs,
  confirmedBy: z.string().nullable(),
  confirmedAt: EpochMs.nullable(),
  confirmReason: z.string().nullable(),
});
export type Case = z.infer<typeof Case>;

export const CaseDetail = Case.extend({
  exceptions: z.array(ExceptionSummary),
  notes: z.array(Note),
  /** Evidence bundles written for this case, newest first (paths relative to the data dir). */
  exports: z.array(z.object({ path: z.string(), sha256: z.string(), at: EpochMs })),
});
export type CaseDetail = z.infer<typeof CaseDetail>;

const NoteText = NonEmpty('note', 5000);

export const casesCreate = defineCommand({
  name: 'cases.create',
  access: 'manager',
  doc: 'Open a case from one or more exceptions. The amount is the sum of their transactions unless one is entered (integer cents). Audited.',
  input: z.object({
    exceptionIds: z.array(Id).min(1, 'give at least one exception').max(500),
    amountCents: Cents.nonnegative('amount cannot be negative').optional(),
    title: z.string().trim().max(200).optional(),
    offender: z.string().trim().max(500).optional(),
    subjectId: Id.optional(),
    assigneeUserId: Id.optional(),
    note: z.string().trim().max(5000).optional(),
  }),
  output: Case,
});

export const casesList = defineCommand({
  name: 'cases.list',
  access: 'viewer',
  doc: 'Cases, newest first, optionally by status or by one of their exceptions.',
  input: z.object({
    status: CaseStatus.optional(),
    exceptionId: Id.optional(),
    limit: z.number().int().min(1).max(1000).default(100),
    beforeId: Id.optional(),
  }),
  output: z.array(Case),
});

export const casesGet = defineCommand({
  name: 'cases.get',
  access: 'viewer',
  doc: 'One case with its exceptions, notes and exports. The view is audited.',
  input: z.object({ id: Id }),
  output: CaseDetail,
});

export const casesUpdate = defineCommand({
  name: 'cases.update',
  access: 'manager',
  doc: 'Change a case’s amount, offender candidate, assignee, title or exceptions (not once confirmed). Audited with before/after.',
  input: z.object({
    id: Id,
    title: z.string().trim().min(1, 'title cannot be empty').max(200).optional(),
    /** null = back to the sum of the transactions. */
    amountCents: Cents.nonnegative('amount cannot be negative').nullable().optional(),
    offender: z.string().trim().max(500).nullable().optional(),
    subjectId: Id.nullable().optional(),
    assigneeUserId: Id.nullable().optional(),
    addExceptionIds: z.array(Id).max(500).optional(),
    removeExceptionIds: z.array(Id).max(500).optional(),
  }),
  output: Case,
});

export const casesNote = defineCommand({
  name: 'cases.note',
  access: 'manager',
  doc: 'Add a note to a case. Audited.',
  input: z.object({ id: Id, text: NoteText }),
  output: Note,
});

export const casesTag = defineCommand({
  name: 'cases.tag',
  access: 'manager',
  doc: 'Tag a case approved (cleared as legitimate), investigate, escalate, dismiss or reopen; its exceptions take the same status. Refused once confirmed.',
  input: z.object({ id: Id, tag: CaseTag, note: z.string().trim().max(5000).optional() }),
  output: Case,
});

export const casesConfirm = defineCommand({
  name: 'cases.confirm',
  access: 'manager',
  doc: 'Confirm a case: records who (the signed-in user) and why, marks its exceptions confirmed and emits case.confirmed for the sync outbox.',
  input: z.object({ id: Id, reason: NonEmpty('reason', 2000) }),
  output: Case,
});

export const casesExport = defineCommand({
  name: 'cases.export',
  access: 'manager',
  doc: 'Write the case’s evidence bundle (clips, receipt, notes, summary PDF, manifest) and pin the clips’ recordings against retention. Audited.',
  input: z.object({ id: Id }),
  output: z.object({
    /** Relative to the data dir, e.g. exports/evidence_20260115T120000Z.zip. */
    path: z.string(),
    sha256: z.string(),
    bytes: z.number().int(),
    clips: z.number().int(),
    pins: z.number().int(),
  }),
});

export const ReviewItem = ExceptionSummary.extend({ caseId: Id.nullable(), notes: z.number().int() });
export type ReviewItem = z.infer<typeof ReviewItem>;

export const reviewList = defineCommand({
  name: 'review.list',
  access: 'viewer',
  doc: 'The review queue: exceptions with the exceptions.list filters plus a full-text search over notes (of the exception or its case).',
  input: ExceptionFilterInput.extend({
    /** Words to find in notes; every word must match (prefix match). */
    q: z.string().trim().max(200).optional(),
    limit: z.number().int().min(1).max(1000).default(200),
    cursor: z.string().max(100).optional(),
    withTotal: z.boolean().default(false),
  }),
  output: z.object({ items: z.array(ReviewItem), nextCursor: z.string().nullable(), total: z.number().int().nullable() }),
});

export const reviewNote = defineCommand({
  name: 'review.note',
  access: 'manager',
  doc: 'Add a note to an exception (the N key in Review). Audited on the exception.',
  input: z.object({ exceptionId: Id, text: NoteText }),
  output: Note,
});

export const reviewNotes = defineCommand({
  name: 'review.notes',
  access: 'viewer',
  doc: 'Notes on an exception and on the cases that hold it, oldest first.',
  input: z.object({ exceptionId: Id }),
  output: z.array(Note),
});

export const casesCommands = [casesCreate, casesList, casesGet, casesUpdate, casesNote, casesTag, casesConfirm, casesExport, reviewList, reviewNote, reviewNotes] as const;

export const caseConfirmed = defineEvent({
  name: 'case.confirmed',
  doc: 'A case was confirmed (who, why, amount). The sync outbox sends it to the network.',
  payload: z.object({
    id: z.number(),
    exceptionIds: z.array(z.number()),
    amountCents: z.number(),
    confirmedBy: z.string(),
    confirmedAt: z.number(),
    reason: z.string(),
    subjectId: z.number().nullable(),
  }),
});

export const caseUpdated = defineEvent({
  name: 'case.updated',
  doc: 'A case was created or changed (status, fields, notes, export).',
  payload: z.object({ id: z.number(), status: CaseStatus, action: z.string() }),
});

export const noteAdded = defineEvent({
  name: 'note.added',
  doc: 'A note was added to an exception or a case.',
  payload: z.object({ id: z.number(), caseId: z.number().nullable(), exceptionId: z.number().nullable() }),
});

export const casesEvents = [caseConfirmed, caseUpdated, noteAdded] as const;
