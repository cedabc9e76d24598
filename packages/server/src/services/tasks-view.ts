import { allowedTaskActions, type PauseMode, type TaskAction, type TaskDefinition, type TaskDraft, type TaskState, type TriggerType } from '@wareach/core';
import type { TaskRow } from '../adapters/storage/task-store';

/** A task as the engine and the services read it. */
export interface TaskRecord {
  id: string;
  name: string;
  state: TaskState;
  triggerType: TriggerType | null;
  groupId: string | null;
  activityId: string | null;
  subjectType: string;
  /** A draft may be incomplete; from submission on it is a complete `TaskDefinition`. */
  definition: TaskDraft;
  /** The segment the task sends to: its own rule segment, the chosen segment or the CSV list. */
  audienceSegmentId: string | null;
  /** Testers' numbers (E.164) added to every run. */
  supplementaryIds: string[];
  pauseMode: PauseMode | null;
  createdBy: string | null;
  submittedBy: string | null;
  approvedBy: string | null;
  createdAt: number;
  updatedAt: number;
  submittedAt: number | null;
  approvedAt: number | null;
  stateChangedAt: number;
  version: number;
}

/** A submitted task: its definition is complete. */
export type SubmittedTaskRecord = TaskRecord & { definition: TaskDefinition };

export function taskRecord(row: TaskRow): TaskRecord {
  const definition = JSON.parse(row.definition) as TaskDraft;
  return {
    id: row.id,
    name: row.name,
    state: row.state as TaskState,
    triggerType: row.trigger_type as TriggerType | null,
    groupId: row.group_id,
    activityId: row.activity_id,
    subjectType: row.subject_type,
    definition,
    audienceSegmentId: row.audience_segment_id,
    supplementaryIds: [...(definition.audience?.supplementaryIds ?? [])],
    pauseMode: row.paused_policy as PauseMode | null,
    createdBy: row.created_by,
    submittedBy: row.submitted_by,
    approvedBy: row.approved_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    submittedAt: row.submitted_at,
    approvedAt: row.approved_at,
    stateChangedAt: row.state_changed_at,
    version: row.version,
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The API shape: times in ISO UTC, and the actions the task's state allows now (for the console's buttons). */
export function taskView(t: TaskRecord) {
  // Without a trigger (an early draft) only complete/end would differ, and they do not apply to drafts.
  const allowedActions: TaskAction[] = allowedTaskActions(t.state, t.triggerType ?? 'scheduled_once');
  return {
    id: t.id,
    name: t.name,
    state: t.state,
    triggerType: t.triggerType,
    groupId: t.groupId,
    activityId: t.activityId,
    subjectType: t.subjectType,
    definition: t.definition,
    audienceSegmentId: t.audienceSegmentId,
    pausedPolicy: t.pauseMode,
    createdBy: t.createdBy,
    submittedBy: t.submittedBy,
    approvedBy: t.approvedBy,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
    submittedAt: iso(t.submittedAt),
    approvedAt: iso(t.approvedAt),
    stateChangedAt: iso(t.stateChangedAt),
    version: t.version,
    allowedActions,
  };
}
export type TaskView = ReturnType<typeof taskView>;
