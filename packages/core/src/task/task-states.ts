/** The states of a task (SPEC section 4); transition-task.ts says how a task moves between them. */
export const TASK_STATES = [
  'draft',
  'pending_approval',
  'approved',
  'running',
  'paused',
  'completed',
  'ended',
  'rejected',
  'cancelled',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const FINAL_TASK_STATES: readonly TaskState[] = ['completed', 'ended', 'cancelled'];
