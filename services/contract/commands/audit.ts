import { z } from 'zod';
import { defineCommand } from '../registry.js';
import { Id } from '../common.js';

export const AuditEvent = z.object({
  id: Id,
  at: z.number(),
  actor: z.string(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string().nullable(),
  details: z.unknown().nullable(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const auditList = defineCommand({
  name: 'audit.list',
  access: 'manager',
  doc: 'The audit trail, newest first, optionally for one entity.',
  input: z.object({
    entity: z.string().optional(),
    entityId: z.string().optional(),
    limit: z.number().int().min(1).max(1000).default(200),
    beforeId: Id.optional(),
  }),
  output: z.array(AuditEvent),
});

export const auditCommands = [auditList] as const;
