/** What the core needs from the outside. Nothing inside the core reads the environment. */
export interface Clock {
  now(): number;
}
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}
export interface CoreDeps {
  /** Folder that holds penny.db, the key file, imports, recordings and clips. */
  dataDir: string;
  clock?: Clock;
  logger?: Logger;
  /** Resolved by the edge (FFMPEG_PATH, then ffmpeg-static, then PATH). */
  ffmpegPath?: string;
  ffprobePath?: string;
  /** 32-byte key for secrets at rest. Electron passes one sealed by safeStorage; otherwise a 0600 key file is used. */
  secretKey?: Buffer;
  fetch?: typeof fetch;
  /** Key for signed media URLs; Electron main passes one so its penny-media: protocol can verify them too. */
  mediaKey?: Buffer;
  version?: string;
  /**
   * Browser mode only: swap the served store between the real data dir and its demo (<dataDir>/demo).
   * Resolves once the other core is serving; absent in one-store processes (CLI, tests, Electron).
   */
  switchStore?: (target: 'demo' | 'real') => Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now() };

/** One JSON line per entry: ids and codes only, never names, faces or payment data. */
export function jsonLogger(write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const emit = (level: string, msg: string, fields?: Record<string, unknown>) =>
    write(JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields }));
  return {
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
