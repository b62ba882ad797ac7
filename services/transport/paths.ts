import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createRequire } from 'node:module';

/**
 * The same user-data dir Electron's app.getPath('userData') gives for productName "Penny", so the
 * CLI and the desktop app share one database by default.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.PENNY_DATA_DIR) return env.PENNY_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Penny');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Penny');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Penny');
}

function onPath(bin: string, env: NodeJS.ProcessEnv): string | undefined {
  const exts = process.platform === 'win32' ? ['.exe', ''] : [''];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    for (const ext of exts) {
      const p = join(dir, bin + ext);
      if (dir && existsSync(p)) return p;
    }
  }
  return undefined;
}

/** ffmpeg: FFMPEG_PATH, then the optional ffmpeg-static package, then PATH. ffprobe likewise. */
export function resolveFfmpeg(env: NodeJS.ProcessEnv = process.env): { ffmpeg: string; ffprobe: string } {
  const require = createRequire(import.meta.url);
  let ffmpeg = env.FFMPEG_PATH;
  if (!ffmpeg) {
    try {
      const p = require('ffmpeg-static') as string | null;
      if (p && existsSync(p)) ffmpeg = p.replace('app.asar', 'app.asar.unpacked');
    } catch {
      // optional dependency not installed
    }
  }
  ffmpeg ??= onPath('ffmpeg', env) ?? 'ffmpeg';
  const ffprobe = env.FFPROBE_PATH ?? onPath('ffprobe', env) ?? 'ffprobe';
  return { ffmpeg, ffprobe };
}
