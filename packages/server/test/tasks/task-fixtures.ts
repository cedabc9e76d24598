import type { AudienceRule } from '@wareach/core';

/** The test servers' clock: 2026-11-25T00:00Z (08:00 in the default project timezone, Asia/Shanghai). */
export const NOW = Date.parse('2026-11-25T00:00:00Z');

export const inShanghai: AudienceRule = { kind: 'and', children: [{ kind: 'attribute', name: 'city', valueType: 'string', op: 'eq', value: 'Shanghai' }] };

export const onceTrigger = { type: 'scheduled_once', sendAt: '2026-11-26T02:00:00Z' };
export const recurringTrigger = { type: 'recurring', cycle: { kind: 'daily', time: '10:00' }, startAt: '2026-11-26T00:00:00Z', endAt: '2026-12-31T00:00:00Z' };
export const triggeredTrigger = {
  type: 'triggered',
  eventA: { name: 'app_open' },
  range: { start: '2026-11-26T00:00:00Z', end: '2026-12-31T00:00:00Z' },
  counting: { kind: 'cumulative', n: 1 },
  timing: { kind: 'delay', amount: 2, unit: 'hours' },
};

/** A complete, valid task definition (a rule audience of Shanghai profiles, a text message). */
export function definition(name: string, overrides: Record<string, unknown> = {}) {
  return {
    basic: { name },
    audience: { mode: 'rule', rule: inShanghai, syncToSegmentList: true, authorisedRoleIds: [] as string[] },
    trigger: onceTrigger,
    delivery: { channelId: 'ch_1', phoneNumberId: 'pn_1', taskType: 'normal', content: { type: 'text', body: 'Hi {{attr.city | "there"}}' } },
    ...overrides,
  };
}
