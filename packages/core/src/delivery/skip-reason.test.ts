import { describe, expect, it } from 'vitest';
import { describeSkipReason, isSkipReason, SKIP_REASON_CODES } from './skip-reason';

describe('skip reasons', () => {
  it('hold the stable codes the pipeline records', () => {
    for (const code of [
      'task_not_running', 'after_end_time', 'not_in_audience', 'excluded', 'no_send_id', 'invalid_phone',
      'outside_service_window', 'dnd_dropped', 'task_cap', 'channel_cap', 'cross_channel_cap', 'render_failed',
      'missing_profile_data', 'segment_refresh_failed', 'cancelled_by_event_b', 'dropped_at_end_time',
      'paused_dropped', 'marketing_limit_24h', 'marketing_opted_out',
    ]) expect(isSkipReason(code)).toBe(true);
    expect(SKIP_REASON_CODES).toHaveLength(19);
  });

  it('every code is snake_case and has an English sentence', () => {
    for (const code of SKIP_REASON_CODES) {
      expect(code).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(describeSkipReason(code)).toMatch(/^[A-Z].+\.$/);
    }
  });

  it('does not take an inherited key for a code', () => {
    expect(isSkipReason('toString')).toBe(false);
  });
});
