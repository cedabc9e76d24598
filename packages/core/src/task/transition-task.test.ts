import { describe, expect, it } from 'vitest';
import type { TaskTrigger, TriggerType } from '../trigger/trigger-schema';
import type { TaskState } from './task-states';
import { TASK_STATES } from './task-states';
import type { TaskAction, TransitionContext } from './transition-task';
import { allowedTaskActions, TASK_ACTIONS, transitionTask } from './transition-task';

const approver = { actorId: 'approver', ownerId: 'owner', allowSelfApproval: false };
const ctx = (triggerType: TriggerType = 'recurring'): TransitionContext => ({ triggerType, approver });

/** Every allowed transition; everything else must be refused. */
const ALLOWED: Record<TaskState, Partial<Record<TaskAction, TaskState>>> = {
  draft: { submit: 'pending_approval', edit: 'draft', cancel: 'cancelled' },
  pending_approval: { approve: 'approved', reject: 'rejected', edit: 'draft', cancel: 'cancelled', approval_timeout: 'cancelled' },
  approved: { start: 'running', edit: 'draft', end: 'ended', cancel: 'cancelled' },
  running: { pause: 'paused', complete: 'completed', end: 'ended', cancel: 'cancelled' },
  paused: { resume: 'running', end: 'ended', cancel: 'cancelled' },
  rejected: { edit: 'draft', cancel: 'cancelled' },
  completed: {},
  ended: {},
  cancelled: {},
};

describe('task state machine: every state and action', () => {
  for (const state of TASK_STATES) {
    for (const action of TASK_ACTIONS) {
      const expected = ALLOWED[state][action];
      // complete is only for scheduled-once tasks, end only for the others.
      const triggerType: TriggerType = action === 'complete' ? 'scheduled_once' : 'recurring';
      if (expected) {
        it(`${state} --${action}--> ${expected}`, () => {
          expect(transitionTask(state, action, ctx(triggerType))).toEqual({ ok: true, value: expected });
        });
      } else {
        it(`${state} refuses ${action}`, () => {
          const result = transitionTask(state, action, ctx(triggerType));
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.error.code).toBe('not_allowed');
        });
      }
    }
  }
});

describe('decisions on editing and final states', () => {
  it('editing an approved task returns it to draft', () => {
    expect(transitionTask('approved', 'edit', ctx())).toEqual({ ok: true, value: 'draft' });
  });
  it('a running or paused task cannot be edited; the message says to copy or cancel', () => {
    expect(transitionTask('running', 'edit', ctx())).toEqual({
      ok: false,
      error: { code: 'not_allowed', message: 'A running task cannot be edited; copy it into a new task, or cancel it' },
    });
    expect(transitionTask('paused', 'edit', ctx())).toEqual({
      ok: false,
      error: { code: 'not_allowed', message: 'A paused task cannot be edited; copy it into a new task, or cancel it' },
    });
  });
  it('a rejected task is edited before it is submitted again', () => {
    expect(transitionTask('rejected', 'submit', ctx())).toEqual({
      ok: false,
      error: { code: 'not_allowed', message: 'Edit the rejected task before submitting it again' },
    });
  });
  it('final states say nothing more can happen', () => {
    expect(transitionTask('completed', 'cancel', ctx())).toEqual({
      ok: false,
      error: { code: 'not_allowed', message: 'The task is completed; nothing more can happen to it (it can be copied)' },
    });
  });
  it('other refusals name the action and the state', () => {
    expect(transitionTask('draft', 'approve', ctx())).toEqual({
      ok: false,
      error: { code: 'not_allowed', message: 'Cannot approve a task that is draft' },
    });
  });
});

describe('complete and end depend on the trigger type', () => {
  it('only a scheduled-once task completes', () => {
    expect(transitionTask('running', 'complete', ctx('scheduled_once'))).toEqual({ ok: true, value: 'completed' });
    for (const type of ['recurring', 'triggered', 'triggered_not'] as const) {
      const result = transitionTask('running', 'complete', ctx(type));
      expect(result.ok ? null : result.error.code).toBe('wrong_trigger_type');
    }
  });
  it('recurring and triggered tasks end; a scheduled-once task does not', () => {
    for (const type of ['recurring', 'triggered', 'triggered_not'] as const) {
      expect(transitionTask('running', 'end', ctx(type))).toEqual({ ok: true, value: 'ended' });
    }
    const result = transitionTask('running', 'end', ctx('scheduled_once'));
    expect(result.ok ? null : result.error.code).toBe('wrong_trigger_type');
  });
  it('allowedTaskActions lists what the console may offer', () => {
    expect(allowedTaskActions('running', 'scheduled_once')).toEqual(['cancel', 'pause', 'complete']);
    expect(allowedTaskActions('running', 'triggered')).toEqual(['cancel', 'pause', 'end']);
    expect(allowedTaskActions('pending_approval', 'recurring')).toEqual(['approve', 'reject', 'cancel', 'edit', 'approval_timeout']);
    expect(allowedTaskActions('cancelled', 'recurring')).toEqual([]);
  });
});

describe('approval in transitions', () => {
  it('nobody approves or rejects their own task by default', () => {
    const self = { triggerType: 'recurring' as const, approver: { actorId: 'u1', ownerId: 'u1', allowSelfApproval: false } };
    expect(transitionTask('pending_approval', 'approve', self)).toEqual({
      ok: false,
      error: { code: 'self_approval', message: 'You cannot approve or reject your own task' },
    });
    expect(transitionTask('pending_approval', 'reject', self).ok).toBe(false);
  });
  it('self-approval is allowed when the project allows it', () => {
    const self = { triggerType: 'recurring' as const, approver: { actorId: 'u1', ownerId: 'u1', allowSelfApproval: true } };
    expect(transitionTask('pending_approval', 'approve', self)).toEqual({ ok: true, value: 'approved' });
  });
  it('approve and reject need to know who acts', () => {
    expect(transitionTask('pending_approval', 'approve', { triggerType: 'recurring' })).toEqual({
      ok: false,
      error: { code: 'approver_required', message: 'Who approves or rejects must be known' },
    });
  });
  it('approving after the approval window has closed is refused', () => {
    const trigger: TaskTrigger = {
      type: 'scheduled_once',
      sendAt: '2025-03-10T02:00:00.000Z',
      approvalTimeout: 'cancel',
      refreshSegment: true,
      refreshFailure: 'use_last',
    };
    const before = transitionTask('pending_approval', 'approve', {
      ...ctx('scheduled_once'),
      approvalWindow: { trigger, now: new Date('2025-03-10T01:59:59Z') },
    });
    expect(before).toEqual({ ok: true, value: 'approved' });
    const after = transitionTask('pending_approval', 'approve', {
      ...ctx('scheduled_once'),
      approvalWindow: { trigger, now: new Date('2025-03-10T02:00:00Z') },
    });
    expect(after.ok ? null : after.error.code).toBe('approval_window_closed');
    const late = transitionTask('pending_approval', 'approve', {
      ...ctx('scheduled_once'),
      approvalWindow: { trigger: { ...trigger, approvalTimeout: 'run_after_approval' }, now: new Date('2025-03-12T02:00:00Z') },
    });
    expect(late).toEqual({ ok: true, value: 'approved' });
  });
});
