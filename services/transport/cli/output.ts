import { CliError, type CliContext } from './types.js';

/** JSON with --json, else the one human line. */
export function printOr(ctx: CliContext, value: unknown, human: string) {
  ctx.out(ctx.json ? JSON.stringify(value, null, 2) : human);
}

/** Passwords come on standard input only, never as arguments that end up in shell history or `ps`. */
export async function passwordFromStdin(ctx: CliContext): Promise<string> {
  const pw = (await ctx.readStdin()).replace(/\r?\n$/, '');
  if (!pw) throw new CliError('no password on standard input (use: echo "$PW" | penny … --password-stdin)', 2);
  return pw;
}
