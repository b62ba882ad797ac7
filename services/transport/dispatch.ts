import { COMMANDS, PennyError, roleAtLeast, type Result } from '../contract/index.js';
import type { Core } from '../core/index.js';
import type { Ctx } from '../core/context.js';
import type { Logger } from '../core/deps.js';
import { ANONYMOUS } from '../core/context.js';

export interface Caller {
  /** Session token from auth.login / onboarding.complete. */
  session?: string;
  /** Trusted local callers (the CLI on its own data dir, scheduled jobs). */
  system?: string;
}

function issuesToDetails(issues: { path: PropertyKey[]; message: string }[]) {
  return issues.map((i) => ({ field: i.path.map(String).join('.') || '(input)', message: i.message }));
}

/**
 * The one way into the core for every transport: find the command, check who is calling, validate
 * the input, run the handler, validate the output, and return a Result. Unknown errors are logged
 * with the command name and become `internal` without their message.
 */
export async function dispatch(core: Core, name: string, rawInput: unknown, caller: Caller, logger?: Logger): Promise<Result<unknown>> {
  const def = COMMANDS[name];
  const handler = (core.handlers as Record<string, ((i: unknown, c: Ctx) => unknown) | undefined>)[name];
  if (!def || !handler) return { ok: false, error: { code: 'not_found', message: `Unknown command "${name}".` } };

  let ctx: Ctx = ANONYMOUS;
  if (caller.system) ctx = { actor: { kind: 'system', name: caller.system, role: 'admin' } };
  else if (caller.session) {
    const resolved = core.resolveSession(caller.session);
    if (resolved) ctx = resolved;
  }
  if (def.access !== 'public') {
    if (ctx.actor.kind === 'anonymous') {
      return { ok: false, error: { code: 'unauthenticated', message: 'Sign in to do this (no session, or it expired).' } };
    }
    if (!roleAtLeast(ctx.actor.role, def.access)) {
      return {
        ok: false,
        error: { code: 'forbidden', message: `Your role (${ctx.actor.role}) cannot do this; it needs ${def.access} or higher.` },
      };
    }
  }

  const parsed = def.input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    const details = issuesToDetails(parsed.error.issues);
    const first = details[0]!;
    return {
      ok: false,
      error: { code: 'invalid_input', message: `${name}: ${first.field}: ${first.message}`, details },
    };
  }

  try {
    const value = await handler(parsed.data, ctx);
    const out = def.output.safeParse(value);
    if (!out.success) {
      logger?.error('handler output does not match contract', { command: name, issues: issuesToDetails(out.error.issues) });
      return { ok: false, error: { code: 'internal', message: 'Internal error.' } };
    }
    return { ok: true, value: out.data };
  } catch (err) {
    if (err instanceof PennyError) return { ok: false, error: err.toJSON() };
    logger?.error('command failed', { command: name, error: err instanceof Error ? err.stack : String(err) });
    return { ok: false, error: { code: 'internal', message: 'Internal error.' } };
  }
}
