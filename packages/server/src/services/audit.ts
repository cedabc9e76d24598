import type { AccessStore } from '../adapters/storage/access-store';
import type { Actor, Clock } from './ports';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string | null;
  details?: Record<string, unknown>;
}

/** Every change is recorded with who, what and when. Details never hold secrets. */
export function createAuditLog(store: AccessStore, clock: Clock) {
  return {
    async record(actor: Actor, e: AuditEntry): Promise<void> {
      await store.audit.insert({
        at: clock.now(),
        actor_type: actor.type,
        actor_id: actor.id,
        action: e.action,
        entity_type: e.entityType,
        entity_id: e.entityId,
        details: e.details ? JSON.stringify(e.details) : null,
      });
    },
    async list(q: { entityType?: string; entityId?: string; limit: number; beforeId?: number }) {
      const rows = await store.audit.list(q);
      return rows.map((r) => ({
        id: r.id,
        at: new Date(r.at).toISOString(),
        actor: { type: r.actor_type, id: r.actor_id },
        action: r.action,
        entityType: r.entity_type,
        entityId: r.entity_id,
        details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
      }));
    },
  };
}
export type AuditLog = ReturnType<typeof createAuditLog>;
