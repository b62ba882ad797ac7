#!/usr/bin/env node
// `npm start`: the desktop app when Electron's binary is present; browser mode otherwise
// (CI machines and sandboxes cannot download Electron).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// Asking for the binary's path in a child keeps Electron's own download attempt (and its stack
// trace on failure) out of the user's terminal.
const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], { cwd: root, encoding: 'utf8', timeout: 120_000 });
const electronPath = probe.status === 0 ? probe.stdout.trim() : '';

if (electronPath && existsSync(electronPath)) {
  run(npm, ['run', 'build']);
  const child = spawn(electronPath, ['.'], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log('Electron is not available on this machine (its binary could not be downloaded), so Penny opens in browser mode instead.');
  // Always rebuild: a stale UI after a pull would talk to a newer core. It takes a few seconds.
  run(npm, ['run', '--silent', 'build:renderer']);
  const child = spawn(process.execPath, [join(root, 'bin/penny.mjs'), 'serve', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code) => process.exit(code ?? 0));
}
