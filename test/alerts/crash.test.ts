import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/core.js';
import { smtpSink, until, type SmtpSink } from './helpers.js';

const children: ChildProcess[] = [];
let smtp: SmtpSink | undefined;
let cleanup: (() => void) | undefined;
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await smtp?.close();
  cleanup?.();
});

function station(dir: string, port: number, n: number): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'child-station.ts'), dir, String(port), String(n)], {
    cwd: join(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return child;
}

const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

describe('crash safety of the outbox', () => {
  it('kill -9 while an e-mail is on the wire: after a restart every alert arrives exactly once', async () => {
    const tmp = tempDir();
    cleanup = tmp.cleanup;
    smtp = await smtpSink();
    const N = 5;
    let started = 0;
    let stalled!: () => void;
    const stalledNow = new Promise<void>((r) => (stalled = r));
    // The third message's DATA never gets its reply: the sender is stuck mid-delivery.
    smtp.onData = () => {
      started++;
      if (started === 3) {
        stalled();
        return new Promise<void>(() => {});
      }
    };

    const first = station(tmp.dir, smtp.port, N);
    const died = new Promise<never>((_r, reject) => first.once('exit', (code) => reject(new Error(`the station exited early (code ${code})`))));
    died.catch(() => {}); // the planned kill below also ends it
    await Promise.race([stalledNow, died]);
    expect(smtp.messages.map((m) => m.subject)).toEqual(['[Corner Fuel #12] High: Crash test alert 1', '[Corner Fuel #12] High: Crash test alert 2']);
    first.kill('SIGKILL');
    await exited(first);

    const db = new Database(join(tmp.dir, 'penny.db'), { readonly: true });
    const states = () => db.prepare("SELECT a.title, d.state, d.attempts FROM alert_delivery d JOIN alert a ON a.id = d.alert_id WHERE d.channel = 'email' ORDER BY a.id").all() as { title: string; state: string; attempts: number }[];
    // Nothing lost: all five are in the outbox; the one on the wire is still claimed by the dead process.
    expect(states().map((s) => s.state)).toEqual(['sent', 'sent', 'sending', 'pending', 'pending']);

    smtp.onData = undefined;
    station(tmp.dir, smtp.port, N);
    await until(() => states().every((s) => s.state === 'sent'), 20_000, 'every delivery sent after the restart');
    // Give a duplicate every chance to show up.
    await new Promise((r) => setTimeout(r, 1500));
    const subjects = smtp.messages.map((m) => m.subject).sort();
    expect(subjects).toEqual(Array.from({ length: N }, (_, i) => `[Corner Fuel #12] High: Crash test alert ${i + 1}`));
    expect(states().map((s) => s.attempts)).toEqual([1, 1, 2, 1, 1]);
    db.close();
  }, 60_000);
});
