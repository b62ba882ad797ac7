import { z } from 'zod';
import { defineCommand } from '../registry.js';
import { Empty, EpochMs } from '../common.js';

export const systemInfo = defineCommand({
  name: 'system.info',
  access: 'public',
  doc: 'Version, whether onboarding is done, and the store name, so the UI knows what to show first.',
  input: Empty,
  output: z.object({
    version: z.string(),
    onboarded: z.boolean(),
    storeName: z.string().nullable(),
    demo: z.boolean(),
    now: EpochMs,
  }),
});

export const systemCommands = [systemInfo] as const;
