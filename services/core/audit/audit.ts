import type { Db } from '../db/open.js';
import type { Clock } from '../deps.js';
import type { EventBus } from '../platform/events.js';
import type { Actor } from '../context.js';
import { actorLabel } from '../context.js';

export interface AuditEntry {
  action: string;
  entity: string;
  entityId?: string | number | null;
  details?: unknown;
}

export type Audit = (actor: Actor, entry: AuditEntry) => number;

/** Writes one audit row; call it inside the same transaction as the change it records. */
export function createAudit(db: Db, clock: Clock, events: EventBus): Audit {
  const insert = db.prepare(
    'INSERT INTO audit_event (at, actor, action, entity, entity_id, details) VALUES (?, ?, ?, ?, ?, ?)',
  );
  return (actor, e) => {
    const id = Number(
      insert.run(
        clock.now(),
        actorLabel(actor),
        e.action,
        e.entity,
        e.entityId == null ? null : String(e.entityId),
        e.details === undefined ? null : JSON.stringify(e.details),
      ).lastInsertRowid,
    );
    events.emit('audit.recorded', { id, action: e.action, entity: e.entity });
    return id;
  };
}
