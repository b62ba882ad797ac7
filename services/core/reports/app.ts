import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppDeps, DomainApp } from '../app.js';
import { isOnboarded, readStore } from '../store/app.js';
import { buildReport } from './aggregate.js';
import { reportCsv, reportPdf } from './export.js';

/** Reports: read-only aggregates over the POS tables, and their CSV/PDF export under exports/. */
export function createReportsApp(d: AppDeps): DomainApp {
  const zone = () => (isOnboarded(d.db) ? readStore(d.db).timezone : 'UTC');
  return {
    handlers: {
      'reports.overview': (input) => buildReport(d.db, input),

      'reports.export': async (input, ctx) => {
        const report = buildReport(d.db, input);
        const tz = zone();
        const now = d.clock.now();
        const body =
          input.format === 'csv'
            ? Buffer.from(reportCsv(report, tz), 'utf8')
            : await reportPdf(report, isOnboarded(d.db) ? readStore(d.db).name : 'Penny', tz, now);
        const stamp = new Date(now).toISOString().replace(/[-:]/g, '').slice(0, 15);
        const rel = `exports/report-${stamp}-${report.bucket}.${input.format}`;
        mkdirSync(join(d.dataDir, 'exports'), { recursive: true });
        // Write to a temporary name first so a crash never leaves half a report under the real name.
        const tmp = join(d.dataDir, `${rel}.part`);
        writeFileSync(tmp, body);
        renameSync(tmp, join(d.dataDir, rel));
        const sha256 = createHash('sha256').update(body).digest('hex');
        d.audit(ctx.actor, { action: 'reports.export', entity: 'report', entityId: rel, details: { format: input.format, since: report.since, until: report.until, sha256 } });
        return { path: rel, bytes: body.length, sha256 };
      },
    },
  };
}
