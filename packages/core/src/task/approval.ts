/** Who may approve, and what happens to a task whose approval comes late (SPEC sections 3 and 4). */
import { approvalDeadline } from '../trigger/approval-deadline';
import type { TaskTrigger } from '../trigger/trigger-schema';
import type { TaskState } from './task-states';

export interface ApproverCheck {
  actorId: string;
  ownerId: string;
  /** Project setting; by default nobody approves their own task. */
  allowSelfApproval: boolean;
}

/** The approve permission itself is checked by the service; this is the self-approval rule. */
export function canApprove({ actorId, ownerId, allowSelfApproval }: ApproverCheck): boolean {
  return allowSelfApproval || actorId !== ownerId;
}

export type ApprovalTimeoutDecision = 'wait' | 'cancel' | 'run_now';

/**
 * What the scheduler does about approval at `now`:
 * - scheduled once, pending: before the send time `wait`; after it, `cancel` under the `cancel`
 *   policy, else `wait` for approval until 72 hours after the send time, then `cancel`;
 * - scheduled once, approved and the send time has come (possibly approved late): `run_now`;
 * - recurring, pending once its end time has passed, and triggered, pending once its event range
 *   is over: `cancel` (nothing can be sent any more);
 * - anything else: `wait` (nothing to do about approval).
 */
export function approvalTimeoutDecision(input: { trigger: TaskTrigger; now: Date; state: TaskState }): ApprovalTimeoutDecision {
  const { trigger, state } = input;
  const now = input.now.getTime();
  switch (trigger.type) {
    case 'scheduled_once': {
      const sendAt = Date.parse(trigger.sendAt);
      if (state === 'approved') return now >= sendAt ? 'run_now' : 'wait';
      if (state !== 'pending_approval' || now < sendAt) return 'wait';
      if (trigger.approvalTimeout === 'cancel') return 'cancel';
      return now >= approvalDeadline(new Date(sendAt)).getTime() ? 'cancel' : 'wait';
    }
    case 'recurring':
      return state === 'pending_approval' && now >= Date.parse(trigger.endAt) ? 'cancel' : 'wait';
    case 'triggered':
    case 'triggered_not':
      return state === 'pending_approval' && now >= Date.parse(trigger.range.end) ? 'cancel' : 'wait';
  }
}
