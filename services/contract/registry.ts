import { z } from 'zod';

/**
 * Who may run a command. Roles are ordered: an admin can do what a manager can, a manager what a
 * viewer can. `public` commands run without a session (onboarding, login, system info).
 */
export const ROLES = ['viewer', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export type Access = 'public' | Role;

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export interface CommandDef<
  N extends string = string,
  I extends z.ZodType = z.ZodType,
  O extends z.ZodType = z.ZodType,
> {
  name: N;
  input: I;
  output: O;
  access: Access;
  doc: string;
}

export function defineCommand<N extends string, I extends z.ZodType, O extends z.ZodType>(
  def: CommandDef<N, I, O>,
): CommandDef<N, I, O> {
  if (!/^[a-z][a-zA-Z]*(\.[a-z][a-zA-Z]*)+$/.test(def.name)) {
    throw new Error(`command name "${def.name}" must look like domain.verb`);
  }
  return def;
}

export interface EventDef<N extends string = string, P extends z.ZodType = z.ZodType> {
  name: N;
  payload: P;
  doc: string;
}

export function defineEvent<N extends string, P extends z.ZodType>(def: EventDef<N, P>): EventDef<N, P> {
  if (!/^[a-z][a-zA-Z]*(\.[a-z][a-zA-Z]*)+$/.test(def.name)) {
    throw new Error(`event name "${def.name}" must look like domain.pastTense`);
  }
  return def;
}

/** Builds a name-keyed registry and rejects a name defined twice. */
export function buildRegistry<T extends { name: string }>(kind: string, groups: readonly (readonly T[])[]) {
  const out: Record<string, T> = {};
  for (const group of groups) {
    for (const def of group) {
      if (out[def.name]) throw new Error(`${kind} "${def.name}" is defined twice`);
      out[def.name] = def;
    }
  }
  return out;
}
