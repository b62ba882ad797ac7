import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

export interface Served {
  url: string;
  base: string;
  token: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Runs the real `penny serve` CLI on a data dir and waits for the URL it prints. */
export async function startServe(dataDir: string, extra: string[] = []): Promise<Served> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/penny.mjs'), '--data-dir', dataDir, 'serve', '--no-open', ...extra], {
    cwd: ROOT,
    env: { ...process.env, CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`penny serve did not start in 30 s\n${stderr}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = out.match(/Penny is running at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`penny serve exited with ${code}\n${stderr}`)));
  });
  const u = new URL(url);
  return {
    url,
    base: u.origin,
    token: u.searchParams.get('token')!,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
