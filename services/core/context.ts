import type { Role } from '../contract/registry.js';

/** Who runs a command. The CLI and scheduled jobs run as `system` with admin rights on their own data dir. */
export type Actor =
  | { kind: 'user'; userId: number; username: string; role: Role }
  | { kind: 'system'; name: string; role: 'admin' }
  | { kind: 'anonymous' };

export interface Ctx {
  actor: Actor;
  /** Hash of the session token the request came with, so logout can end exactly that session. */
  sessionHash?: string;
}

export function actorLabel(a: Actor): string {
  if (a.kind === 'user') return `user:${a.userId}:${a.username}`;
  if (a.kind === 'system') return `system:${a.name}`;
  return 'anonymous';
}

export const ANONYMOUS: Ctx = { actor: { kind: 'anonymous' } };
export const systemCtx = (name: string): Ctx => ({ actor: { kind: 'system', name, role: 'admin' } });
