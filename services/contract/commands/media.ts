import { z } from 'zod';
import { defineCommand } from '../registry.js';

export const MediaUrl = z.object({
  /** Relative URL (`media/<path>?exp=…&sig=…`); the renderer's API client turns it into a loadable URL for its transport. */
  url: z.string(),
  expiresAt: z.number(),
});

export const mediaUrl = defineCommand({
  name: 'media.url',
  access: 'viewer',
  doc: 'A short-lived signed URL for a clip, thumbnail, preview, snapshot or export under the data dir; every request is audited.',
  input: z.object({
    path: z
      .string()
      .min(1, 'path is required')
      .max(500)
      .refine((p) => !p.split(/[\\/]/).includes('..') && !p.startsWith('/') && !/^[a-zA-Z]:/.test(p), 'path must be relative to the data dir, without ..'),
  }),
  output: MediaUrl,
});

export const mediaCommands = [mediaUrl] as const;
