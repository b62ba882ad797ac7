import type { AppDeps } from '../../app.js';
import { NotConfigured, smsConfig, smtpConfig, webhookConfig } from '../config.js';
import type { AlertRow, DeliveryRow } from '../records.js';
import { chatPayload, emailHtml, emailText, renderContext, smsText, subjectOf } from '../templates.js';
import { sendEmail, thumbnailInside } from './email.js';
import { DeliveryError } from './errors.js';
import { sendSms } from './sms.js';
import { sendWebhook } from './webhook.js';

export { DeliveryError } from './errors.js';

/** Sends one delivery on its channel and returns the provider's message id (or ''). */
export async function sendDelivery(d: AppDeps, a: AlertRow, del: Pick<DeliveryRow, 'id' | 'channel' | 'address'>): Promise<string> {
  try {
    const ctx = renderContext(d.db);
    switch (del.channel) {
      case 'email': {
        const thumb = thumbnailInside(d.dataDir, a.thumbnail_path);
        const cid = thumb ? `thumb-${a.id}@penny` : null;
        return await sendEmail(smtpConfig(d), {
          to: del.address,
          subject: subjectOf(a, ctx),
          text: emailText(a, ctx),
          html: emailHtml(a, ctx, cid),
          messageId: `<alert-${a.id}.delivery-${del.id}@penny.station>`,
          thumbnail: thumb && cid ? { path: thumb, cid } : undefined,
        });
      }
      case 'sms':
        return await sendSms(d.fetch, smsConfig(d), del.address, smsText(a, ctx));
      case 'webhook': {
        const cfg = webhookConfig(d);
        if (!cfg) throw new NotConfigured('the chat webhook is not set up: webhook.url is empty');
        return await sendWebhook(d.fetch, cfg, chatPayload(cfg, a, ctx));
      }
      case 'desktop':
        // The Electron main shows a Notification for this event; the browser UI uses the Notifications API.
        d.events.emit('alert.raised', { id: a.id, source: a.source, severity: a.severity, title: a.title, body: a.body, link: a.link });
        return '';
    }
  } catch (err) {
    if (err instanceof DeliveryError) throw err;
    // Missing settings are retried: the admin may fill them in before the attempts run out.
    if (err instanceof NotConfigured) throw new DeliveryError(err.message);
    throw new DeliveryError(`unexpected failure: ${(err as Error).message}`);
  }
}
