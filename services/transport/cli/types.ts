import type { ParseArgsConfig } from 'node:util';
import type { Core } from '../../core/index.js';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CliContext {
  dataDir: string;
  json: boolean;
  env: NodeJS.ProcessEnv;
  version: string;
  /** Run a contract command as the local system user; throws CliError on failure. */
  call<T = unknown>(name: string, input?: unknown): Promise<T>;
  /** The core itself, for long-running commands (serve) that attach a transport. */
  core(): Promise<Core>;
  out(text: string): void;
  err(text: string): void;
  readStdin(): Promise<string>;
}

export interface CliCommand {
  /** e.g. ['store', 'show'] for `penny store show`. */
  path: string[];
  summary: string;
  usage: string;
  options?: Options;
  positionals?: boolean;
  run(ctx: CliContext, values: Values, positionals: string[]): Promise<number | void>;
}

/** An error the CLI prints as one line, with an exit code (2 usage, 3 invalid input, 1 otherwise). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export const str = (v: Values[string]): string | undefined => (typeof v === 'string' ? v : undefined);
export function requireOpt(values: Values, name: string): string {
  const v = str(values[name]);
  if (!v) throw new CliError(`missing --${name}`, 2);
  return v;
}
export function intOpt(values: Values, name: string): number | undefined {
  const v = str(values[name]);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new CliError(`--${name} must be a whole number, got "${v}"`, 2);
  return Number(v);
}
