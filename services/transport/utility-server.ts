/**
 * Entry of the core inside Electron's utilityProcess: SQLite, ffmpeg and sockets live here, off
 * the UI thread. Electron adds `process.parentPort`; this file only types the bit it uses so that
 * services/ never imports electron.
 */
import { createCore, type Core } from '../core/index.js';
import { jsonLogger } from '../core/deps.js';
import { dispatch } from './dispatch.js';
import type { FromCore, ToCore } from './utility-messages.js';

interface ParentPort {
  on(event: 'message', listener: (e: { data: ToCore }) => void): void;
  postMessage(msg: FromCore): void;
}

const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!port) {
  process.stderr.write('utility-server must run inside an Electron utilityProcess\n');
  process.exit(2);
}

const logger = jsonLogger();
let core: Core | undefined;

port.on('message', async ({ data }) => {
  if (data.type === 'init') {
    try {
      core = await createCore({
        dataDir: data.dataDir,
        secretKey: Buffer.from(data.secretKey, 'base64'),
        mediaKey: Buffer.from(data.mediaKey, 'base64'),
        ffmpegPath: data.ffmpegPath,
        ffprobePath: data.ffprobePath,
        version: data.version,
        logger,
      });
      core.events.subscribe((name, payload) => port.postMessage({ type: 'event', name, payload }));
      port.postMessage({ type: 'ready' });
    } catch (err) {
      port.postMessage({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
    }
    return;
  }
  if (data.type === 'invoke') {
    const result = core
      ? await dispatch(core, data.name, data.input, { session: data.session }, logger)
      : { ok: false as const, error: { code: 'unavailable' as const, message: 'The station core is still starting.' } };
    port.postMessage({ type: 'result', id: data.id, result });
  }
});

process.on('SIGTERM', () => void core?.close().then(() => process.exit(0)));
