/**
 * The life of a task (SPEC section 4):
 *
 *   draft → pending_approval → approved → running → completed (scheduled once)
 *                 ↓    ↑ edit                    → ended (recurring, triggered: at end time)
 *              rejected → edit → draft           ⇄ paused
 *   cancel: from any state that is not final; approval_timeout: pending_approval → cancelled.
 *
 * Decisions:
 * - `edit` returns draft, pending_approval, approved and rejected tasks to draft (a pending task is
 *   withdrawn from approval). Running and paused tasks cannot be edited: their runs and deliveries
 *   are in flight and would no longer match the definition; copy the task or cancel it.
 * - A rejected task is edited (back to draft) before it is submitted again.
 * - `complete` is for scheduled-once tasks and `end` for recurring and triggered ones; `end` also
 *   applies to an approved or paused task whose end time comes.
 * - Whether a pause drops or holds due sends is a setting the service records with the pause.
 * The audit log (who, when, comment) is written by the service for every transition returned here.
 */
import type { Result } from '../shared/result';
import { err, ok } from '../shared/result';
import type { TaskTrigger, TriggerType } from '../trigger/trigger-schema';
import type { ApproverCheck } from './approval';
import { approvalTimeoutDecision, canApprove } from './approval';
import type { TaskState } from './task-states';
import { FINAL_TASK_STATES } from './task-states';

export const TASK_ACTIONS = [
  'submit',
  'approve',
  'reject',
  'cancel',
  'pause',
  'resume',
  'start',
  'complete',
  'end',
  'edit',
  'approval_timeout',
] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];

/** What a paused task does with sends that fall due while it is paused (the operator chooses). */
export type PauseMode = 'drop' | 'hold';

const TRANSITIONS: Record<TaskState, Partial<Record<TaskAction, TaskState>>> = {
  draft: { submit: 'pending_approval', edit: 'draft', cancel: 'cancelled' },
  pending_approval: {
    approve: 'approved',
    reject: 'rejected',
    edit: 'draft',
    cancel: 'cancelled',
    approval_timeout: 'cancelled',
  },
  approved: { start: 'running', edit: 'draft', end: 'ended', cancel: 'cancelled' },
  running: { pause: 'paused', complete: 'completed', end: 'ended', cancel: 'cancelled' },
  paused: { resume: 'running', end: 'ended', cancel: 'cancelled' },
  rejected: { edit: 'draft', cancel: 'cancelled' },
  completed: {},
  ended: {},
  cancelled: {},
};

export interface TransitionContext {
  triggerType: TriggerType;
  /** Required for `approve` and `reject`. */
  approver?: ApproverCheck;
  /** When given, `approve` is refused once the approval window has closed (see approvalTimeoutDecision). */
  approvalWindow?: { trigger: TaskTrigger; now: Date };
}

export type TransitionRefusalCode =
  | 'not_allowed'
  | 'approver_required'
  | 'self_approval'
  | 'approval_window_closed'
  | 'wrong_trigger_type';

export interface TransitionRefusal {
  code: TransitionRefusalCode;
  message: string;
}

const refuse = (code: TransitionRefusalCode, message: string) => err<TransitionRefusal>({ code, message });

function notAllowedMessage(state: TaskState, action: TaskAction): string {
  if (action === 'edit' && (state === 'running' || state === 'paused')) {
    return `A ${state} task cannot be edited; copy it into a new task, or cancel it`;
  }
  if (FINAL_TASK_STATES.includes(state)) return `The task is ${state}; nothing more can happen to it (it can be copied)`;
  if (action === 'submit' && state === 'rejected') return 'Edit the rejected task before submitting it again';
  return `Cannot ${action.replace('_', ' ')} a task that is ${state.replace('_', ' ')}`;
}

export function transitionTask(
  state: TaskState,
  action: TaskAction,
  context: TransitionContext,
): Result<TaskState, TransitionRefusal> {
  const next = TRANSITIONS[state][action];
  if (next === undefined) return refuse('not_allowed', notAllowedMessage(state, action));

  const once = context.triggerType === 'scheduled_once';
  if (action === 'complete' && !once) {
    return refuse('wrong_trigger_type', 'Only a scheduled-once task completes; recurring and triggered tasks end at their end time');
  }
  if (action === 'end' && once) {
    return refuse('wrong_trigger_type', 'A scheduled-once task completes after its run; it has no end time');
  }

  if (action === 'approve' || action === 'reject') {
    if (!context.approver) return refuse('approver_required', 'Who approves or rejects must be known');
    if (!canApprove(context.approver)) return refuse('self_approval', 'You cannot approve or reject your own task');
  }
  if (action === 'approve' && context.approvalWindow) {
    const { trigger, now } = context.approvalWindow;
    if (approvalTimeoutDecision({ trigger, now, state }) === 'cancel') {
      return refuse('approval_window_closed', 'It is too late to approve this task; it is cancelled by its approval timeout');
    }
  }
  return ok(next);
}

/** The actions a task in `state` can take now, e.g. for the console's buttons. Approval checks excluded. */
export function allowedTaskActions(state: TaskState, triggerType: TriggerType): TaskAction[] {
  return TASK_ACTIONS.filter((action) => {
    if (TRANSITIONS[state][action] === undefined) return false;
    if (action === 'complete') return triggerType === 'scheduled_once';
    if (action === 'end') return triggerType !== 'scheduled_once';
    return true;
  });
}
