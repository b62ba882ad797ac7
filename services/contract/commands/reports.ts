import { z } from 'zod';
import { defineCommand } from '../registry.js';
import { Cents, EpochMs } from '../common.js';

/**
 * Reports: aggregates over the POS exception tables for the Reports tab and its CSV/PDF export.
 * Periods and hours are the store's local wall clock (the transactions' wall time).
 */

export const ReportBucket = z.enum(['day', 'week', 'month']);

export const ReportInput = z
  .object({
    /** Default: the earliest transaction. */
    since: EpochMs.optional(),
    /** Default: just after the latest transaction. */
    until: EpochMs.optional(),
    bucket: ReportBucket.default('week'),
  })
  .strict()
  .refine((v) => v.since === undefined || v.until === undefined || v.until > v.since, { message: 'until must be after since', path: ['until'] });

export const Report = z.object({
  since: EpochMs,
  until: EpochMs,
  bucket: ReportBucket,
  totals: z.object({
    transactions: z.number().int(),
    exceptions: z.number().int(),
    flaggedCents: Cents,
    confirmedCents: Cents,
    /** Money recovered through the network; 0 until sync records recoveries. */
    recoveredCents: Cents,
  }),
  byType: z.array(z.object({ type: z.string(), count: z.number().int() })),
  byStatus: z.array(z.object({ status: z.string(), count: z.number().int() })),
  /** One row per period (local date of its first day, YYYY-MM-DD) and exception type. */
  trend: z.array(z.object({ period: z.string(), type: z.string(), count: z.number().int() })),
  employees: z.array(
    z.object({
      employee: z.string(),
      transactions: z.number().int(),
      exceptions: z.number().int(),
      /** Exceptions per 100 transactions. */
      rate: z.number(),
      /** The same rate over every other employee. */
      peerRate: z.number(),
    }),
  ),
  /** Register × local hour (0–23) of exceptions. */
  heatmap: z.array(z.object({ register: z.string(), hour: z.number().int(), count: z.number().int() })),
  loss: z.array(z.object({ period: z.string(), flaggedCents: Cents, recoveredCents: Cents })),
});
export type Report = z.infer<typeof Report>;

export const reportsOverview = defineCommand({
  name: 'reports.overview',
  access: 'viewer',
  doc: 'Exception trends by type, per-employee rates against peers, a register × hour heatmap and loss flagged against recovered.',
  input: ReportInput,
  output: Report,
});

export const reportsExport = defineCommand({
  name: 'reports.export',
  access: 'manager',
  doc: 'Write the report as CSV or a PDF under exports/ (open it with media.url). Audited.',
  input: z
    .object({ format: z.enum(['csv', 'pdf']), since: EpochMs.optional(), until: EpochMs.optional(), bucket: ReportBucket.default('week') })
    .strict(),
  output: z.object({ path: z.string(), bytes: z.number().int(), sha256: z.string() }),
});

export const reportsCommands = [reportsOverview, reportsExport] as const;
