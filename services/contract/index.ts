import type { z } from 'zod';
import { buildRegistry, type CommandDef, type EventDef } from './registry.js';
import { foundationEvents } from './events.js';
import { systemCommands } from './commands/system.js';
import { authCommands } from './commands/auth.js';
import { storeCommands } from './commands/store.js';
import { userCommands } from './commands/users.js';
import { settingsCommands } from './commands/settings.js';
import { auditCommands } from './commands/audit.js';

export * from './errors.js';
export * from './registry.js';
export * from './common.js';
export * from './events.js';
export * from './commands/system.js';
export * from './commands/auth.js';
export * from './commands/store.js';
export * from './commands/users.js';
export * from './commands/settings.js';
export * from './commands/audit.js';

/** Every command of the station, once. Add a domain's list here. */
const ALL = [
  ...systemCommands,
  ...authCommands,
  ...storeCommands,
  ...userCommands,
  ...settingsCommands,
  ...auditCommands,
] as const;

type AllCommands = (typeof ALL)[number];
export type CommandName = AllCommands['name'];
export type CommandOf<N extends CommandName> = Extract<AllCommands, { name: N }>;
export type InputOf<N extends CommandName> = z.input<CommandOf<N>['input']>;
export type ParsedInputOf<N extends CommandName> = z.output<CommandOf<N>['input']>;
export type OutputOf<N extends CommandName> = z.output<CommandOf<N>['output']>;

export const COMMANDS: Record<string, CommandDef> = buildRegistry('command', [ALL]);

/** Every event, once. Add a domain's event list here. */
export const EVENTS: Record<string, EventDef> = buildRegistry('event', [foundationEvents]);
export type EventName = string;
