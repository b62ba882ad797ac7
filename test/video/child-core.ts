import { createCore } from '../../services/core/index.js';
import { silentLogger } from '../../services/core/deps.js';

/**
 * A station core in its own process, for the crash test: prints clip events as JSON lines and
 * "DONE" once no clip job is left queued or running. The parent kills it with SIGKILL at will.
 */
const dir = process.argv[2];
if (!dir) throw new Error('usage: child-core.ts DATA_DIR');
const core = await createCore({ dataDir: dir, logger: silentLogger, version: 'test', ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' });
core.events.subscribe((name, payload) => {
  if (name === 'clip.ready' || name === 'clip.failed' || name === 'clip.progress') process.stdout.write(JSON.stringify({ name, payload }) + '\n');
});
const timer = setInterval(() => {
  const r = core.db.prepare("SELECT count(*) AS n FROM clip_job WHERE status IN ('queued', 'running')").get() as { n: number };
  if (r.n === 0) {
    clearInterval(timer);
    process.stdout.write('DONE\n');
    void core.close().then(() => process.exit(0));
  }
}, 200);
