import type { CommandName, OutputOf, ParsedInputOf } from '../contract/index.js';
import type { Db } from './db/open.js';
import type { Clock, Logger } from './deps.js';
import type { EventBus } from './platform/events.js';
import type { SecretBox } from './platform/secrets.js';
import type { Audit } from './audit/audit.js';
import type { Ctx } from './context.js';

/** What each domain app gets from createCore. */
export interface AppDeps {
  db: Db;
  dataDir: string;
  clock: Clock;
  logger: Logger;
  events: EventBus;
  audit: Audit;
  secrets: SecretBox;
  ffmpegPath: string;
  ffprobePath: string;
  version: string;
  fetch: typeof fetch;
}

export type Handler<N extends CommandName> = (
  input: ParsedInputOf<N>,
  ctx: Ctx,
) => OutputOf<N> | Promise<OutputOf<N>>;

export type Handlers = { [N in CommandName]?: Handler<N> };

/** A domain: its handlers, plus optional background work started with the core and stopped on close. */
export interface DomainApp {
  handlers: Handlers;
  start?(): void | Promise<void>;
  stop?(): void | Promise<void>;
}
