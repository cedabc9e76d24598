import type { TaskDefinition } from '@wareach/core';
import type { SegmentStore } from '../adapters/storage/segment-store';
import type { AudienceService } from './audience';
import { AppError } from './errors';
import type { AudienceSource, EngineTask, EngineTaskSource, RefreshOutcome } from './dispatcher-ports';
import type { Clock } from './ports';
import type { SegmentService } from './segments';
import type { TaskService } from './tasks';
import type { TaskRecord } from './tasks-view';

const ACTIVE = ['pending_approval', 'approved', 'running', 'paused'] as const;

const engineTask = (t: TaskRecord): EngineTask => ({ id: t.id, state: t.state, pauseMode: t.pauseMode, definition: t.definition as TaskDefinition, audienceSegmentId: t.audienceSegmentId });

/** The engine's task port over the task service: drafts are never shown to it. */
export function engineTaskSource(tasks: TaskService): EngineTaskSource {
  return {
    async getTask(id) {
      const t = await tasks.getTask(id);
      return t && t.state !== 'draft' ? engineTask(t) : undefined;
    },
    listActive: async () => (await tasks.listRunnable({ state: [...ACTIVE] })).map(engineTask),
    async transition(id, action, comment) {
      try {
        return (await tasks.markState(id, action, undefined, comment ? { comment } : {})).ok;
      } catch (e) {
        // Another worker (or a member) changed the task between our read and our write: the move is
        // theirs to make or already made; the scheduler reads the task again next tick.
        if (e instanceof AppError && e.code === 'conflict') return false;
        throw e;
      }
    },
  };
}

/**
 * The engine's audience port: the task's segment (its own rule segment, the chosen segment or its CSV
 * list) read through the audience service. Supplementary numbers are left to the engine.
 */
export function engineAudienceSource(deps: { tasks: TaskService; audience: AudienceService; segments: SegmentService; segmentStore: SegmentStore; clock: Clock }): AudienceSource {
  const ref = async (task: EngineTask) => {
    if (task.audienceSegmentId !== undefined) return { id: task.id, audienceSegmentId: task.audienceSegmentId };
    const t = await deps.tasks.getTask(task.id);
    return { id: task.id, audienceSegmentId: t?.audienceSegmentId ?? null };
  };
  return {
    async *iterate(task, batchSize) {
      yield* deps.audience.iterateAudience(await ref(task), { batchSize });
    },
    inAudience: async (task, profileIds) => deps.audience.inAudience(await ref(task), profileIds, deps.clock.now()),
    async refresh(task): Promise<RefreshOutcome> {
      const { audienceSegmentId } = await ref(task);
      const row = audienceSegmentId ? await deps.segmentStore.get(audienceSegmentId) : undefined;
      // Only on-demand rule segments refresh before a run: daily ones follow their own clock (the last
      // members are used), realtime ones are always current, CSV lists never change.
      if (!row || row.kind !== 'rule' || row.refresh_mode !== 'on_demand') return { kind: 'not_needed' };
      const r = await deps.segments.refreshSegment(row.id);
      return r.ok ? { kind: 'refreshed' } : { kind: 'failed', reason: r.error };
    },
  };
}
