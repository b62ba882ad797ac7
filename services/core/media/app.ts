import { PennyError } from '../../contract/errors.js';
import type { AppDeps, DomainApp } from '../app.js';
import { MEDIA_ROOTS, MEDIA_TTL_MS, signMediaPath } from './sign.js';

export function createMediaApp(d: AppDeps, mediaKey: Buffer): DomainApp {
  return {
    handlers: {
      'media.url': ({ path }, ctx) => {
        const normalized = path.replace(/\\/g, '/');
        const root = normalized.split('/')[0] ?? '';
        if (!(MEDIA_ROOTS as readonly string[]).includes(root)) {
          throw new PennyError('invalid_input', `path: only ${MEDIA_ROOTS.join('/, ')}/ can be viewed`, { field: 'path' });
        }
        const expiresAt = d.clock.now() + MEDIA_TTL_MS;
        d.audit(ctx.actor, { action: 'media.view', entity: 'media', entityId: normalized });
        return { url: signMediaPath(mediaKey, normalized, expiresAt), expiresAt };
      },
    },
  };
}
