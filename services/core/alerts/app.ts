import { PennyError } from '../../contract/errors.js';
import type { Alert } from '../../contract/commands/alerts.js';
import type { AppDeps, DomainApp } from '../app.js';
import { systemCtx } from '../context.js';
import { sendDelivery, DeliveryError } from './channels/index.js';
import { alertOptions } from './config.js';
import { listContacts, getContact, removeContact, saveContact } from './contacts.js';
import { catchUpExceptions, onExceptionFlagged } from './exceptions.js';
import { DeliveryWorker, type WorkerOptions } from './outbox.js';
import { closeStorms, deepLink, raiseAlert } from './raise.js';
import { getAlertRow, refreshAlertStatus, toAlert, type AlertRow } from './records.js';
import { SummaryScheduler, buildSummary, sendSummary } from './summary.js';

/** Settings whose change may let waiting deliveries go now (a fixed SMTP host, a new webhook). */
const CHANNEL_SETTINGS = /^(smtp|sms|webhook|alerts)\./;

export function createAlertsApp(d: AppDeps, workerOptions: WorkerOptions = {}): DomainApp {
  const { db, clock } = d;
  const actor = systemCtx('alerts').actor;
  let worker: DeliveryWorker | undefined;
  const kick = () => worker?.kick();
  const scheduler = new SummaryScheduler(d, actor, kick);
  const unsubscribe: (() => void)[] = [];

  const alertById = (id: number): Alert => {
    const r = getAlertRow(db, id);
    if (!r) throw new PennyError('not_found', `There is no alert with id ${id}.`, { field: 'id' });
    return toAlert(db, r);
  };

  return {
    handlers: {
      'contacts.list': () => listContacts(d),
      'contacts.save': (input, ctx) => saveContact(d, input, ctx.actor),
      'contacts.remove': ({ id }, ctx) => {
        removeContact(d, id, ctx.actor);
        return { ok: true as const };
      },

      'alerts.raise': (input, ctx) => {
        const { id } = raiseAlert(d, input, ctx.actor);
        kick();
        return alertById(id);
      },

      'alerts.list': ({ status, source, limit, beforeId }) => {
        const rows = db
          .prepare(
            `SELECT * FROM alert WHERE (? IS NULL OR status = ?) AND (? IS NULL OR source = ?) AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?`,
          )
          .all(status ?? null, status ?? null, source ?? null, source ?? null, beforeId ?? null, beforeId ?? null, limit) as AlertRow[];
        return rows.map((r) => toAlert(db, r));
      },

      'alerts.get': ({ id }) => alertById(id),

      'alerts.retry': ({ id }, ctx) => {
        const alert = alertById(id);
        const n = db.transaction(() => {
          // A fresh attempt budget: the admin retries after fixing the cause (a password, an address).
          const res = db
            .prepare("UPDATE alert_delivery SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE alert_id = ? AND state IN ('dead', 'pending')")
            .run(clock.now(), id);
          refreshAlertStatus(db, id);
          d.audit(ctx.actor, { action: 'alert.retry', entity: 'alert', entityId: id, details: { deliveries: res.changes } });
          return res.changes;
        })();
        if (n === 0 && alert.deliveries.every((x) => x.state === 'sent')) {
          throw new PennyError('conflict', `Alert ${id} has nothing to retry: every delivery was sent.`);
        }
        kick();
        return alertById(id);
      },

      'alerts.deliver': async () => {
        if (!worker) throw new PennyError('unavailable', 'The alert outbox is not running.');
        return worker.drain();
      },

      'alerts.summary': async ({ period, send }, ctx) => {
        const now = clock.now();
        if (!send) return { ...buildSummary(d, period, now), alertId: null };
        const s = sendSummary(d, period, now, ctx.actor);
        // Sent now rather than on the next tick: `penny alerts summary --send` exits right after.
        await worker?.drain();
        return s;
      },

      'alerts.test': async ({ channel, contactId }) => {
        let address = '';
        if (channel === 'email' || channel === 'sms') {
          if (!contactId) throw new PennyError('invalid_input', `A ${channel} test needs contactId.`, { field: 'contactId' });
          const c = getContact(d, contactId);
          const a = channel === 'email' ? c.email : c.phone;
          if (!a) throw new PennyError('invalid_input', `Contact ${contactId} has no ${channel === 'email' ? 'e-mail address' : 'phone number'}.`, { field: 'contactId' });
          address = a;
        }
        const now = clock.now();
        // A transient alert row (never stored) so the test message looks exactly like a real one.
        const fake: AlertRow = {
          id: 0,
          source: 'system',
          type: 'test',
          severity: 'low',
          title: 'Test message from Penny',
          body: `This is a test of the ${channel} channel. If you can read it, alerts will reach you here.`,
          link: deepLink(alertOptions(d).linkBase, null, null),
          register: null,
          entity: null,
          entity_id: null,
          thumbnail_path: null,
          dedupe_key: null,
          storm_id: null,
          status: 'none',
          created_at: now,
        };
        const t0 = performance.now();
        try {
          const providerId = await sendDelivery(d, fake, { id: 0, channel, address });
          return { ok: true, channel, providerId: providerId || null, error: null, ms: Math.round(performance.now() - t0) };
        } catch (err) {
          return { ok: false, channel, providerId: null, error: err instanceof DeliveryError ? err.message : String(err), ms: Math.round(performance.now() - t0) };
        }
      },
    },

    start() {
      worker = new DeliveryWorker(d, () => {
        closeStorms(d, actor);
        scheduler.check();
      }, workerOptions);
      const flagged = onExceptionFlagged(d, actor, kick);
      unsubscribe.push(d.events.subscribe(flagged.listener), flagged.flush);
      catchUpExceptions(d, flagged.listener);
      unsubscribe.push(
        d.events.subscribe((name, payload) => {
          if (name === 'setting.changed' && CHANNEL_SETTINGS.test((payload as { key: string }).key)) kick();
        }),
      );
      worker.start();
    },

    async stop() {
      for (const u of unsubscribe.splice(0)) u();
      await worker?.stop();
      worker = undefined;
    },
  };
}
