import { describe, expect, it } from 'vitest';
import { approvalDeadline } from './approval-deadline';
import { segmentRefreshAt } from './segment-refresh';

describe('segment refresh before a run', () => {
  it('is 15 minutes before by default', () => {
    expect(segmentRefreshAt(new Date('2025-03-10T10:00:00Z')).toISOString()).toBe('2025-03-10T09:45:00.000Z');
  });
  it('uses the project lead time, across midnight', () => {
    expect(segmentRefreshAt(new Date('2025-01-01T00:10:00Z'), 30).toISOString()).toBe('2024-12-31T23:40:00.000Z');
  });
});

describe('approval deadline', () => {
  it('is 72 hours after the send time', () => {
    expect(approvalDeadline(new Date('2025-03-10T10:00:00Z')).toISOString()).toBe('2025-03-13T10:00:00.000Z');
  });
});
