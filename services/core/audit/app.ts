import type { AuditEvent } from '../../contract/commands/audit.js';
import type { AppDeps, DomainApp } from '../app.js';

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  entity: string;
  entity_id: string | null;
  details: string | null;
}

export function createAuditApp({ db }: AppDeps): DomainApp {
  return {
    handlers: {
      'audit.list': ({ entity, entityId, limit, beforeId }) => {
        const rows = db
          .prepare(
            `SELECT * FROM audit_event
             WHERE (@entity IS NULL OR entity = @entity) AND (@entityId IS NULL OR entity_id = @entityId)
               AND (@beforeId IS NULL OR id < @beforeId)
             ORDER BY id DESC LIMIT @limit`,
          )
          .all({ entity: entity ?? null, entityId: entityId ?? null, beforeId: beforeId ?? null, limit }) as AuditRow[];
        return rows.map(
          (r): AuditEvent => ({
            id: r.id,
            at: r.at,
            actor: r.actor,
            action: r.action,
            entity: r.entity,
            entityId: r.entity_id,
            details: r.details ? (JSON.parse(r.details) as unknown) : null,
          }),
        );
      },
    },
  };
}
