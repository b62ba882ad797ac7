import { join } from 'node:path';
import { COMMANDS } from '../contract/index.js';
import type { AppDeps, DomainApp, Handlers } from './app.js';
import { createAudit } from './audit/audit.js';
import { createAuditApp } from './audit/app.js';
import { createPosApp } from './pos/app.js';
import { createRulesApp } from './rules/app.js';
import { createAlertsApp } from './alerts/app.js';
import { createAuthApp } from './auth/app.js';
import { createCamerasApp } from './cameras/app.js';
import { createFacesApp } from './faces/app.js';
import { createUsersApp } from './auth/users-app.js';
import { openDatabase, type Db } from './db/open.js';
import { jsonLogger, systemClock, type CoreDeps } from './deps.js';
import { EventBus } from './platform/events.js';
import { createSecretBox, loadOrCreateKeyFile } from './platform/secrets.js';
import { createSettingsApp } from './settings/app.js';
import { createStoreApp } from './store/app.js';
import { createVideoApp } from './video/app.js';
import { createMediaApp } from './media/app.js';
import { createSyncApp } from './sync/app.js';
import { createDemoApp } from './demo/app.js';
import { createReportsApp } from './reports/app.js';
import { createCasesApp } from './cases/app.js';
import { resolveSignedMedia } from './media/sign.js';
import { randomBytes } from 'node:crypto';
import type { Actor } from './context.js';

export type { CoreDeps } from './deps.js';
export type { Ctx, Actor } from './context.js';

export interface Core {
  handlers: Handlers;
  events: EventBus;
  db: Db;
  dataDir: string;
  resolveSession(token: string): { actor: Actor; sessionHash: string } | null;
  /** Checks a signed media URL (from media.url) and returns the file to serve or why not. */
  resolveMedia(path: string, exp: string | null, sig: string | null): ReturnType<typeof resolveSignedMedia>;
  close(): Promise<void>;
}

/** Registers each domain's handlers, refusing a name twice or a handler without a contract entry. */
function mergeHandlers(apps: DomainApp[]): Handlers {
  const out: Record<string, unknown> = {};
  for (const app of apps) {
    for (const [name, h] of Object.entries(app.handlers)) {
      if (out[name]) throw new Error(`handler "${name}" is registered twice`);
      if (!COMMANDS[name]) throw new Error(`handler "${name}" has no command in the contract`);
      out[name] = h;
    }
  }
  return out as Handlers;
}

export async function createCore(deps: CoreDeps): Promise<Core> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? jsonLogger();
  const db = openDatabase(join(deps.dataDir, 'penny.db'));
  const events = new EventBus();
  const appDeps: AppDeps = {
    db,
    dataDir: deps.dataDir,
    clock,
    logger,
    events,
    audit: createAudit(db, clock, events),
    secrets: createSecretBox(deps.secretKey ?? loadOrCreateKeyFile(deps.dataDir)),
    ffmpegPath: deps.ffmpegPath ?? 'ffmpeg',
    ffprobePath: deps.ffprobePath ?? 'ffprobe',
    version: deps.version ?? '0.0.0',
    fetch: deps.fetch ?? fetch,
  };
  const auth = createAuthApp(appDeps);
  const mediaKey = deps.mediaKey ?? randomBytes(32);
  const rules = createRulesApp(appDeps);
  const apps: DomainApp[] = [
    auth,
    createUsersApp(appDeps),
    createStoreApp(appDeps),
    createSettingsApp(appDeps),
    createAuditApp(appDeps),
    rules,
    createPosApp(appDeps, rules),
    createCamerasApp(appDeps),
    createFacesApp(appDeps),
    createAlertsApp(appDeps),
    createVideoApp(appDeps),
    createMediaApp(appDeps, mediaKey),
    createSyncApp(appDeps),
    createReportsApp(appDeps),
    // The demo store is another data dir opened with the same deps (its own key file and media key).
    createDemoApp(appDeps, { openCore: (dir) => createCore({ ...deps, dataDir: dir, secretKey: undefined, mediaKey: undefined, switchStore: undefined }), switchStore: deps.switchStore }),
    createCasesApp(appDeps),
  ];
  const handlers = mergeHandlers(apps);
  for (const app of apps) await app.start?.();
  let closed = false;
  return {
    handlers,
    events,
    db,
    dataDir: deps.dataDir,
    resolveSession: auth.resolveSession,
    resolveMedia: (path, exp, sig) => resolveSignedMedia(mediaKey, deps.dataDir, path, exp, sig, clock.now()),
    async close() {
      if (closed) return;
      closed = true;
      for (const app of [...apps].reverse()) await app.stop?.();
      db.close();
    },
  };
}
