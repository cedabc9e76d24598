import { describe, expect, it } from 'vitest';
import type { TaskTrigger } from '../trigger/trigger-schema';
import { approvalTimeoutDecision, canApprove } from './approval';

describe('canApprove', () => {
  it('another member may approve', () => {
    expect(canApprove({ actorId: 'a', ownerId: 'b', allowSelfApproval: false })).toBe(true);
  });
  it('by default nobody approves their own task', () => {
    expect(canApprove({ actorId: 'a', ownerId: 'a', allowSelfApproval: false })).toBe(false);
  });
  it('self-approval when the project allows it', () => {
    expect(canApprove({ actorId: 'a', ownerId: 'a', allowSelfApproval: true })).toBe(true);
  });
});

const once = (approvalTimeout: 'cancel' | 'run_after_approval'): TaskTrigger => ({
  type: 'scheduled_once',
  sendAt: '2025-03-10T02:00:00.000Z',
  approvalTimeout,
  refreshSegment: true,
  refreshFailure: 'use_last',
});
const t = (s: string) => new Date(s);

describe('approval timeout, scheduled once', () => {
  it('before the send time an unapproved task waits', () => {
    expect(approvalTimeoutDecision({ trigger: once('cancel'), now: t('2025-03-10T01:59:59Z'), state: 'pending_approval' })).toBe('wait');
  });
  it('policy cancel: unapproved at the send time is cancelled', () => {
    expect(approvalTimeoutDecision({ trigger: once('cancel'), now: t('2025-03-10T02:00:00Z'), state: 'pending_approval' })).toBe('cancel');
  });
  it('policy run_after_approval: waits until 72 hours after the send time, then cancels', () => {
    const trigger = once('run_after_approval');
    expect(approvalTimeoutDecision({ trigger, now: t('2025-03-13T01:59:59Z'), state: 'pending_approval' })).toBe('wait');
    expect(approvalTimeoutDecision({ trigger, now: t('2025-03-13T02:00:00Z'), state: 'pending_approval' })).toBe('cancel');
  });
  it('an approved task whose send time has come runs now (including one approved late)', () => {
    const trigger = once('run_after_approval');
    expect(approvalTimeoutDecision({ trigger, now: t('2025-03-10T01:00:00Z'), state: 'approved' })).toBe('wait');
    expect(approvalTimeoutDecision({ trigger, now: t('2025-03-10T02:00:00Z'), state: 'approved' })).toBe('run_now');
    expect(approvalTimeoutDecision({ trigger, now: t('2025-03-12T09:00:00Z'), state: 'approved' })).toBe('run_now');
  });
  it('other states have nothing to do about approval', () => {
    for (const state of ['draft', 'running', 'paused', 'completed', 'cancelled', 'rejected', 'ended'] as const) {
      expect(approvalTimeoutDecision({ trigger: once('cancel'), now: t('2025-03-20T00:00:00Z'), state })).toBe('wait');
    }
  });
});

describe('approval timeout, recurring and triggered', () => {
  const recurring: TaskTrigger = {
    type: 'recurring',
    cycle: { kind: 'daily', time: '10:00' },
    startAt: '2025-03-01T00:00:00.000Z',
    endAt: '2025-03-31T00:00:00.000Z',
    refreshSegment: true,
    refreshFailure: 'use_last',
  };
  const triggered: TaskTrigger = {
    type: 'triggered',
    eventA: { name: 'app_open', filters: [] },
    range: { start: '2025-03-01T00:00:00.000Z', end: '2025-03-31T00:00:00.000Z' },
    counting: { kind: 'every', n: 1 },
    timing: { kind: 'delay', amount: 1, unit: 'days' },
  };
  it('a recurring task unapproved at its end time is cancelled', () => {
    expect(approvalTimeoutDecision({ trigger: recurring, now: t('2025-03-30T23:59:59Z'), state: 'pending_approval' })).toBe('wait');
    expect(approvalTimeoutDecision({ trigger: recurring, now: t('2025-03-31T00:00:00Z'), state: 'pending_approval' })).toBe('cancel');
  });
  it('a triggered task unapproved when its event range is over is cancelled', () => {
    expect(approvalTimeoutDecision({ trigger: triggered, now: t('2025-03-30T00:00:00Z'), state: 'pending_approval' })).toBe('wait');
    expect(approvalTimeoutDecision({ trigger: triggered, now: t('2025-03-31T00:00:00Z'), state: 'pending_approval' })).toBe('cancel');
  });
  it('approved recurring and triggered tasks are started by their schedule, not by the approval check', () => {
    expect(approvalTimeoutDecision({ trigger: recurring, now: t('2025-03-10T00:00:00Z'), state: 'approved' })).toBe('wait');
    expect(approvalTimeoutDecision({ trigger: triggered, now: t('2025-03-10T00:00:00Z'), state: 'approved' })).toBe('wait');
  });
});
