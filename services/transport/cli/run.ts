import { parseArgs } from 'node:util';
import { createCore, type Core } from '../../core/index.js';
import { jsonLogger } from '../../core/deps.js';
import { dispatch } from '../dispatch.js';
import { defaultDataDir, resolveFfmpeg } from '../paths.js';
import { CLI_COMMANDS } from './registry.js';
import { CliError, type CliCommand, type CliContext } from './types.js';

const EXIT_BY_CODE: Record<string, number> = { invalid_input: 3, not_found: 4, conflict: 5, forbidden: 6, unauthenticated: 6, offline: 7, unavailable: 7 };

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  readStdin(): Promise<string>;
  env: NodeJS.ProcessEnv;
  version: string;
}

function helpText(version: string): string {
  const width = Math.max(...CLI_COMMANDS.map((c) => c.path.join(' ').length));
  const lines = CLI_COMMANDS.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return [
    `penny ${version} — Penny Station from a terminal`,
    '',
    'Usage: penny [--data-dir DIR] [--json] <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Global options:',
    '  --data-dir DIR  station data folder (default: the desktop app’s user-data dir, or $PENNY_DATA_DIR)',
    '  --json          machine-readable output',
    '  --help, -h      this help, or `penny <command> --help` for one command',
    '  --version, -v   print the version',
  ].join('\n');
}

function findCommand(words: string[]): { cmd: CliCommand; rest: string[] } | undefined {
  const sorted = [...CLI_COMMANDS].sort((a, b) => b.path.length - a.path.length);
  for (const cmd of sorted) {
    if (cmd.path.every((p, i) => words[i] === p)) return { cmd, rest: words.slice(cmd.path.length) };
  }
  return undefined;
}

/** Runs one CLI invocation and returns its exit code; never calls process.exit, so tests can drive it. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  // Global options may come before the command; pull them out wherever they are.
  const words: string[] = [];
  let dataDir: string | undefined;
  let json = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--data-dir') dataDir = argv[++i];
    else if (a.startsWith('--data-dir=')) dataDir = a.slice('--data-dir='.length);
    else if (a === '--json') json = true;
    else if (a === '--help' || a === '-h') help = true;
    else if ((a === '--version' || a === '-v') && words.length === 0) {
      io.out(io.version);
      return 0;
    } else words.push(a);
  }
  if (dataDir === '') {
    io.err('penny: --data-dir needs a folder');
    return 2;
  }
  if (words.length === 0) {
    (help ? io.out : io.err)(helpText(io.version));
    return help ? 0 : 2;
  }
  const found = findCommand(words);
  if (!found) {
    io.err(`penny: unknown command "${words.join(' ')}". Run \`penny --help\` for the list.`);
    return 2;
  }
  const { cmd, rest } = found;
  if (help) {
    io.out(`${cmd.summary}\n\nUsage: ${cmd.usage}`);
    return 0;
  }

  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  let positionals: string[];
  try {
    const parsed = parseArgs({ args: rest, options: cmd.options ?? {}, allowPositionals: !!cmd.positionals, strict: true });
    values = parsed.values as typeof values;
    positionals = parsed.positionals;
  } catch (err) {
    io.err(`penny ${cmd.path.join(' ')}: ${(err as Error).message}\nUsage: ${cmd.usage}`);
    return 2;
  }

  const dir = dataDir ?? defaultDataDir(io.env);
  let core: Core | undefined;
  const logger = jsonLogger((l) => io.err(l));
  const getCore = async () => {
    if (!core) {
      const ff = resolveFfmpeg(io.env);
      core = await createCore({ dataDir: dir, ffmpegPath: ff.ffmpeg, ffprobePath: ff.ffprobe, version: io.version, logger });
    }
    return core;
  };
  const ctx: CliContext = {
    dataDir: dir,
    json,
    env: io.env,
    version: io.version,
    core: getCore,
    async call<T>(name: string, input: unknown = {}) {
      const result = await dispatch(await getCore(), name, input, { system: 'cli' }, logger);
      if (!result.ok) throw new CliError(result.error.message, EXIT_BY_CODE[result.error.code] ?? 1);
      return result.value as T;
    },
    out: io.out,
    err: io.err,
    readStdin: io.readStdin,
  };
  try {
    return (await cmd.run(ctx, values, positionals)) ?? 0;
  } catch (err) {
    if (err instanceof CliError) {
      io.err(`penny ${cmd.path.join(' ')}: ${err.message}`);
      return err.exitCode;
    }
    // PennyError from createCore (e.g. a database from a newer version) reads well as is.
    const message = err instanceof Error ? err.message : String(err);
    io.err(`penny ${cmd.path.join(' ')}: ${message}`);
    return 1;
  } finally {
    await core?.close();
  }
}
