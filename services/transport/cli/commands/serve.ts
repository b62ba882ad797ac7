import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHttpServer } from '../../http-server.js';
import { switchableCores } from '../../core-holder.js';
import { createCore } from '../../../core/index.js';
import { resolveFfmpeg } from '../../paths.js';
import { jsonLogger } from '../../../core/deps.js';
import { intOpt, type CliCommand } from '../types.js';

export const RENDERER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../out/renderer');

/** Best effort: a headless server has no browser, and that is fine. */
function openBrowser(url: string) {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // no opener available
  }
}

export const serveCommand: CliCommand = {
  path: ['serve'],
  summary: 'Run the station in browser mode on 127.0.0.1',
  usage: 'penny serve [--port N] [--no-open]',
  options: { port: { type: 'string' }, 'no-open': { type: 'boolean' } },
  async run(ctx, v) {
    // Not ctx.core(): browser mode may swap to the demo store (<data-dir>/demo) and back.
    const ff = resolveFfmpeg(ctx.env);
    const logger = jsonLogger();
    const cores = await switchableCores(ctx.dataDir, (dataDir, switchStore) =>
      createCore({ dataDir, ffmpegPath: ff.ffmpeg, ffprobePath: ff.ffprobe, version: ctx.version, logger, switchStore }),
    );
    if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
      ctx.err('The UI is not built yet: run `npm run build:renderer` (npm start does it for you). Serving the API only.');
    }
    const server = await startHttpServer({ cores, port: intOpt(v, 'port'), staticDir: RENDERER_DIR, logger });
    ctx.out(`Penny is running at ${server.url}`);
    if (!v['no-open'] && !ctx.env.CI) openBrowser(server.url);
    await new Promise<void>((done) => {
      const stop = () => done();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    await cores.close();
    return 0;
  },
};
