import { app, safeStorage, utilityProcess, type UtilityProcess } from 'electron';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Result } from '../services/contract/errors.js';
import type { FromCore, ToCore } from '../services/transport/utility-messages.js';
import { resolveFfmpeg } from '../services/transport/paths.js';

/**
 * The master key for secrets at rest, sealed by the OS keychain (DPAPI, Keychain, libsecret) through
 * safeStorage. The utility process cannot reach safeStorage, so main unseals it and hands it over.
 */
function loadMasterKey(dataDir: string): Buffer {
  const file = join(dataDir, 'secret.key.sealed');
  if (!safeStorage.isEncryptionAvailable()) {
    throw new Error('The OS keychain is not available, so Penny cannot protect camera and alert passwords.');
  }
  if (existsSync(file)) return Buffer.from(safeStorage.decryptString(readFileSync(file)), 'base64');
  const key = randomBytes(32);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, safeStorage.encryptString(key.toString('base64')), { mode: 0o600 });
  return key;
}

/** Runs the core in a utilityProcess and relays invokes and events. */
export class CoreHost {
  private child: UtilityProcess | undefined;
  private nextId = 1;
  private pending = new Map<number, (r: Result<unknown>) => void>();
  private ready: Promise<void> | undefined;
  /** Shared with the core so main's penny-media: protocol can check the URLs the core signs. */
  readonly mediaKey = randomBytes(32);

  constructor(
    private readonly entry: string,
    private readonly onEvent: (name: string, payload: unknown) => void,
  ) {}

  start(dataDir: string): Promise<void> {
    const child = utilityProcess.fork(this.entry, [], { serviceName: 'Penny core', stdio: 'inherit' });
    this.child = child;
    const ff = resolveFfmpeg();
    this.ready = new Promise((resolve, reject) => {
      child.on('message', (msg: FromCore) => {
        if (msg.type === 'ready') resolve();
        else if (msg.type === 'fatal') reject(new Error(msg.message));
        else if (msg.type === 'result') {
          this.pending.get(msg.id)?.(msg.result);
          this.pending.delete(msg.id);
        } else if (msg.type === 'event') this.onEvent(msg.name, msg.payload);
      });
      child.on('exit', (code) => {
        for (const done of this.pending.values()) done({ ok: false, error: { code: 'unavailable', message: `The station core stopped (exit ${code}).` } });
        this.pending.clear();
        reject(new Error(`core exited with code ${code}`));
      });
    });
    const init: ToCore = {
      type: 'init',
      dataDir,
      secretKey: loadMasterKey(dataDir).toString('base64'),
      mediaKey: this.mediaKey.toString('base64'),
      ffmpegPath: ff.ffmpeg,
      ffprobePath: ff.ffprobe,
      version: app.getVersion(),
    };
    child.postMessage(init);
    return this.ready;
  }

  invoke(name: string, input: unknown, session?: string): Promise<Result<unknown>> {
    const child = this.child;
    if (!child) return Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'The station core is not running.' } });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      const msg: ToCore = { type: 'invoke', id, name, input, session };
      child.postMessage(msg);
    });
  }

  stop(): void {
    this.child?.kill();
  }
}
