import { z } from 'zod';
import { defineCommand, defineEvent } from '../registry.js';
import { Cents, EpochMs, Id, NonEmpty, Ok } from '../common.js';

/** Normalized transaction types. The raw string from the file is always kept next to it. */
export const TXN_TYPES = [
  'sale',
  'refund',
  'void',
  'no_sale',
  'suspend',
  'resume',
  'cancel',
  'discount',
  'price_override',
  'employee_override',
  'payout',
  'paid_in',
  'safe_drop',
  'other',
] as const;
export const TxnType = z.enum(TXN_TYPES);
export type TxnType = z.infer<typeof TxnType>;

export const POS_FORMATS = ['modisoft', 'naxml', 'csv', 'xlsx'] as const;
export const PosFormat = z.enum(POS_FORMATS);
export type PosFormat = z.infer<typeof PosFormat>;

/** The fields a tabular report can be mapped onto. Values are header names as they appear in the file. */
export const MAPPING_FIELDS = [
  'datetime',
  'date',
  'time',
  'type',
  'amount',
  'tax',
  'discount',
  'register',
  'employee',
  'transactionId',
  'tender',
  'description',
] as const;
export const MappingField = z.enum(MAPPING_FIELDS);

export const ColumnMapping = z
  .object({
    /** 1-based line of the header row; omitted = detect it. */
    headerRow: z.number().int().min(1).max(1000).optional(),
    columns: z.partialRecord(MappingField, z.string().min(1).max(200)),
    /** How to read an all-numeric date such as 03/04/25. */
    dateOrder: z.enum(['MDY', 'DMY', 'YMD']).default('MDY'),
    /** Type used when the file has no type column or the cell is empty. */
    defaultType: TxnType.default('sale'),
    /** Extra raw-type → type pairs for this source, checked before the built-in synonyms (case-insensitive). */
    typeMap: z.record(z.string().max(100), TxnType).default({}),
  })
  .refine((m) => !!m.columns.amount, { message: 'the mapping needs an amount column', path: ['columns', 'amount'] })
  .refine((m) => !!m.columns.datetime || !!m.columns.date, { message: 'the mapping needs a datetime or a date column', path: ['columns'] });
export type ColumnMapping = z.infer<typeof ColumnMapping>;

export const RejectedRow = z.object({
  file: z.string(),
  /** 1-based line/row in the file, or an XML path such as /NAXML-POSJournal/JournalReport/SaleEvent[3]. */
  row: z.union([z.number(), z.string()]),
  field: z.string(),
  message: z.string(),
});
export type RejectedRow = z.infer<typeof RejectedRow>;

export const ImportReport = z.object({
  /** null when nothing was stored (a duplicate file). */
  importId: Id.nullable(),
  jobId: z.string(),
  file: z.string(),
  sha256: z.string(),
  format: PosFormat,
  status: z.enum(['imported', 'duplicate']),
  rows: z.number().int(),
  /** New transactions stored by this import. */
  transactions: z.number().int(),
  /** Transactions already stored by an earlier import (or twice in this file). */
  duplicates: z.number().int(),
  byType: z.record(z.string(), z.number().int()),
  totalCents: Cents,
  rejectedCount: z.number().int(),
  /** The first 1000 rejected rows. */
  rejected: z.array(RejectedRow),
  exceptions: z.number().int(),
  startedAt: EpochMs,
  finishedAt: EpochMs,
  /** For a duplicate file: the import that already holds it. */
  duplicateOf: Id.nullable(),
});
export type ImportReport = z.infer<typeof ImportReport>;

export const ImportSummary = ImportReport.omit({ rejected: true, jobId: true }).extend({ importId: Id, mapping: z.string().nullable() });

export const posImport = defineCommand({
  name: 'pos.import',
  access: 'manager',
  doc: 'Import a POS report from a file path (upload, drop, watched folder or CLI). Atomic and idempotent; returns the import report.',
  input: z.object({
    path: NonEmpty('file path', 4096),
    format: PosFormat.optional(),
    /** Name of a saved mapping preset (CSV/XLSX). */
    mapping: z.string().max(80).optional(),
    /** Register code for reports without a register column. */
    register: z.string().max(40).optional(),
    /** Optional id chosen by the caller so it can match import.progress events to this call. */
    jobId: z.string().max(80).optional(),
  }),
  output: ImportReport,
});

export const PreviewRow = z.object({
  row: z.union([z.number(), z.string()]),
  ok: z.boolean(),
  type: z.string().optional(),
  rawType: z.string().optional(),
  startedAt: EpochMs.optional(),
  wallTime: z.string().optional(),
  amountCents: Cents.optional(),
  register: z.string().nullable().optional(),
  employee: z.string().nullable().optional(),
  error: z.string().optional(),
});

export const posPreview = defineCommand({
  name: 'pos.preview',
  access: 'manager',
  doc: 'Detect the format, header row and column mapping of a file and show the first rows as they would import. Stores nothing.',
  input: z.object({
    path: NonEmpty('file path', 4096),
    format: PosFormat.optional(),
    /** A preset name or an explicit mapping to try instead of the guess. */
    mapping: z.union([z.string().max(80), ColumnMapping]).optional(),
    rows: z.number().int().min(1).max(200).default(20),
  }),
  output: z.object({
    format: PosFormat,
    headerRow: z.number().int().nullable(),
    headers: z.array(z.string()),
    /** The mapping guessed from the headers (or the one given). */
    mapping: ColumnMapping.nullable(),
    /** Saved presets whose columns all exist in this file. */
    matchingPresets: z.array(z.string()),
    rows: z.array(PreviewRow),
  }),
});

export const MappingPreset = z.object({
  name: z.string(),
  source: z.string(),
  mapping: ColumnMapping,
  updatedAt: EpochMs,
});

export const posMappingsList = defineCommand({
  name: 'pos.mappings.list',
  access: 'viewer',
  doc: 'Saved column-mapping presets, one per report source.',
  input: z.object({}).strict(),
  output: z.array(MappingPreset),
});

export const posMappingsSave = defineCommand({
  name: 'pos.mappings.save',
  access: 'manager',
  doc: 'Save (or replace) a named column-mapping preset.',
  input: z.object({
    name: z.string().trim().regex(/^[\w.\- ]{1,80}$/, 'preset name may use letters, digits, space, dot, dash and underscore (1–80)'),
    source: z.string().max(120).default(''),
    mapping: ColumnMapping,
  }),
  output: MappingPreset,
});

export const posMappingsRemove = defineCommand({
  name: 'pos.mappings.remove',
  access: 'manager',
  doc: 'Delete a column-mapping preset.',
  input: z.object({ name: z.string().max(80) }),
  output: Ok,
});

export const importsList = defineCommand({
  name: 'imports.list',
  access: 'viewer',
  doc: 'Past imports, newest first.',
  input: z.object({ limit: z.number().int().min(1).max(500).default(50), beforeId: Id.optional() }),
  output: z.array(ImportSummary),
});

export const importsGet = defineCommand({
  name: 'imports.get',
  access: 'viewer',
  doc: 'One import report, with its rejected rows.',
  input: z.object({ id: Id }),
  output: ImportReport,
});

export const TransactionLine = z.object({
  seq: z.number().int(),
  kind: z.string(),
  description: z.string(),
  quantity: z.number().nullable(),
  amountCents: Cents,
  status: z.string(),
  approver: z.string().nullable(),
});
export const Tender = z.object({
  code: z.string(),
  subCode: z.string(),
  amountCents: Cents,
  card: z.string().nullable(),
});

export const Transaction = z.object({
  id: Id,
  importId: Id,
  externalId: z.string().nullable(),
  register: z.string().nullable(),
  employee: z.string().nullable(),
  type: TxnType,
  rawType: z.string(),
  startedAt: EpochMs,
  endedAt: EpochMs.nullable(),
  wallTime: z.string(),
  amountCents: Cents,
  taxCents: Cents,
  discountCents: Cents,
  flags: z.array(z.string()),
});
export type Transaction = z.infer<typeof Transaction>;
export const TransactionDetail = Transaction.extend({ lines: z.array(TransactionLine), tenders: z.array(Tender) });

export const transactionsList = defineCommand({
  name: 'transactions.list',
  access: 'viewer',
  doc: 'Imported transactions, newest first, filtered and paged by cursor.',
  input: z.object({
    type: TxnType.optional(),
    since: EpochMs.optional(),
    until: EpochMs.optional(),
    register: z.string().max(40).optional(),
    employee: z.string().max(120).optional(),
    limit: z.number().int().min(1).max(1000).default(100),
    /** nextCursor from the previous page. */
    cursor: z.string().max(100).optional(),
  }),
  output: z.object({ items: z.array(Transaction), nextCursor: z.string().nullable() }),
});

export const transactionsGet = defineCommand({
  name: 'transactions.get',
  access: 'viewer',
  doc: 'One transaction with its lines and tenders.',
  input: z.object({ id: Id }),
  output: TransactionDetail,
});

export const posCommands = [
  posImport,
  posPreview,
  posMappingsList,
  posMappingsSave,
  posMappingsRemove,
  importsList,
  importsGet,
  transactionsList,
  transactionsGet,
] as const;

export const importProgress = defineEvent({
  name: 'import.progress',
  doc: 'A running import moved on (about every 250 ms): rows read and bytes of the file consumed.',
  payload: z.object({ jobId: z.string(), file: z.string(), rows: z.number(), bytes: z.number(), totalBytes: z.number() }),
});

export const importFinished = defineEvent({
  name: 'import.finished',
  doc: 'An import ended: stored, a duplicate, or failed (with the message).',
  payload: z.object({
    jobId: z.string(),
    file: z.string(),
    importId: z.number().nullable(),
    status: z.enum(['imported', 'duplicate', 'failed']),
    transactions: z.number(),
    exceptions: z.number(),
    message: z.string().optional(),
  }),
});

export const posEvents = [importProgress, importFinished] as const;
