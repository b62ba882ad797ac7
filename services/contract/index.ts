import type { z } from 'zod';
import { buildRegistry, type CommandDef, type EventDef } from './registry.js';
import { foundationEvents } from './events.js';
import { systemCommands } from './commands/system.js';
import { authCommands } from './commands/auth.js';
import { storeCommands } from './commands/store.js';
import { userCommands } from './commands/users.js';
import { settingsCommands } from './commands/settings.js';
import { auditCommands } from './commands/audit.js';
import { camerasCommands, camerasEvents } from './commands/cameras.js';
import { posCommands, posEvents } from './commands/pos.js';
import { rulesCommands, rulesEvents } from './commands/rules.js';
import { alertsCommands, alertsEvents } from './commands/alerts.js';
import { facesCommands, facesEvents } from './commands/faces.js';
import { videoCommands, videoEvents } from './commands/video.js';
import { mediaCommands } from './commands/media.js';
import { syncCommands, syncEvents } from './commands/sync.js';
import { demoCommands, demoEvents } from './commands/demo.js';
import { reportsCommands } from './commands/reports.js';
import { casesCommands, casesEvents } from './commands/cases.js';

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
export * from './commands/cameras.js';
export * from './commands/pos.js';
export * from './commands/rules.js';
export * from './commands/alerts.js';
export * from './commands/faces.js';
export * from './commands/video.js';
export * from './commands/media.js';
export * from './commands/sync.js';
export * from './commands/demo.js';
export * from './commands/reports.js';
export * from './commands/cases.js';

/** Every command of the station, once. Add a domain's list here. */
const ALL = [
  ...systemCommands,
  ...authCommands,
  ...storeCommands,
  ...userCommands,
  ...settingsCommands,
  ...auditCommands,
  ...camerasCommands,
  ...posCommands,
  ...rulesCommands,
  ...alertsCommands,
  ...facesCommands,
  ...videoCommands,
  ...mediaCommands,
  ...casesCommands,
  ...demoCommands,
  ...reportsCommands,
  ...syncCommands,
] as const;

type AllCommands = (typeof ALL)[number];
export type CommandName = AllCommands['name'];
export type CommandOf<N extends CommandName> = Extract<AllCommands, { name: N }>;
export type InputOf<N extends CommandName> = z.input<CommandOf<N>['input']>;
export type ParsedInputOf<N extends CommandName> = z.output<CommandOf<N>['input']>;
export type OutputOf<N extends CommandName> = z.output<CommandOf<N>['output']>;

export const COMMANDS: Record<string, CommandDef> = buildRegistry('command', [ALL]);

/** Every event, once. Add a domain's event list here. */
export const EVENTS: Record<string, EventDef> = buildRegistry<EventDef>('event', [foundationEvents, posEvents, rulesEvents, alertsEvents, facesEvents, camerasEvents, videoEvents, casesEvents, demoEvents, syncEvents]);
export type EventName = string;
