import { z } from 'zod';
import { defineCommand, defineEvent } from '../registry.js';
import { Empty } from '../common.js';

/**
 * The demo store: a separate data folder (<dataDir>/demo) filled with a generated day of POS data,
 * two cameras with generated recordings and clips. Browser mode can swap the served core between
 * the real store and the demo; the credentials are fake and shown on screen on purpose.
 */

export const DemoCredentials = z.object({ username: z.string(), password: z.string() });

export const DemoStatus = z.object({
  /** This core is serving the demo store. */
  active: z.boolean(),
  /** A finished demo store exists and can be entered. */
  available: z.boolean(),
  /** The transport can swap stores (penny serve); false in a one-store process such as the CLI. */
  switchable: z.boolean(),
  credentials: DemoCredentials.nullable(),
  storeName: z.string().nullable(),
});

export const DemoLoadReport = z.object({
  /** Absolute folder of the demo store. */
  dataDir: z.string(),
  credentials: DemoCredentials,
  transactions: z.number().int(),
  exceptions: z.number().int(),
  cameras: z.number().int(),
  segments: z.number().int(),
  clips: z.number().int(),
  ms: z.number().int(),
});

export const demoStatus = defineCommand({
  name: 'demo.status',
  access: 'public',
  doc: 'Whether this is the demo store, whether one is built, and its (fake) credentials.',
  input: Empty,
  output: DemoStatus,
});

export const demoLoad = defineCommand({
  name: 'demo.load',
  access: 'public',
  doc: 'Build (or rebuild with fresh=true) the demo store in its own folder. Anyone before onboarding; an admin afterwards. Emits demo.progress.',
  input: z.object({ fresh: z.boolean().default(false) }).strict(),
  output: DemoLoadReport,
});

export const demoEnter = defineCommand({
  name: 'demo.enter',
  access: 'public',
  doc: 'Serve the demo store instead of the real one (building it first when missing). Anyone before onboarding; an admin afterwards.',
  input: Empty,
  output: DemoStatus,
});

export const demoExit = defineCommand({
  name: 'demo.exit',
  access: 'public',
  doc: 'Return to the real store. Allowed to anyone inside the demo: it holds nothing real.',
  input: Empty,
  output: z.object({ ok: z.literal(true) }),
});

export const demoCommands = [demoStatus, demoLoad, demoEnter, demoExit] as const;

export const demoProgress = defineEvent({
  name: 'demo.progress',
  doc: 'The demo build moved on: step name, steps done of total.',
  payload: z.object({ step: z.string(), done: z.number().int(), total: z.number().int() }),
});

export const demoSwitched = defineEvent({
  name: 'demo.switched',
  doc: 'The served store changed (entered or left the demo); the UI signs in again.',
  payload: z.object({ active: z.boolean() }),
});

export const demoEvents = [demoProgress, demoSwitched] as const;
