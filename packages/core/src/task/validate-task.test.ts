import { describe, expect, it } from 'vitest';
import type { FieldError } from '../shared/result';
import { validateDraft, validateForSubmit, validateTask, validateTrigger } from './validate-task';

const now = new Date('2025-03-01T00:00:00Z');
const context = { now, timezone: 'Asia/Shanghai' };

const onceTrigger = { type: 'scheduled_once', sendAt: '2025-03-10T10:00:00+08:00' };
const recurringTrigger = {
  type: 'recurring',
  cycle: { kind: 'daily', time: '10:00' },
  startAt: '2025-03-02T00:00:00Z',
  endAt: '2025-03-31T00:00:00Z',
};
const triggeredTrigger = {
  type: 'triggered',
  eventA: { name: 'app_open' },
  range: { start: '2025-03-02T00:00:00Z', end: '2025-03-31T00:00:00Z' },
  counting: { kind: 'cumulative', n: 1 },
  timing: { kind: 'delay', amount: 2, unit: 'hours' },
};
const notBTrigger = {
  ...triggeredTrigger,
  type: 'triggered_not',
  eventB: { name: 'page_view', filters: [{ property: 'page', op: 'eq', value: '/checkout' }] },
  window: { amount: 20, unit: 'minutes' },
};

function task(overrides: Record<string, unknown> = {}) {
  return {
    basic: { name: '  Spring sale  ' },
    audience: { mode: 'segment', segmentId: 'seg_1' },
    trigger: onceTrigger,
    delivery: { channelId: 'ch_1', phoneNumberId: 'pn_1', taskType: 'normal', content: { type: 'text', body: 'Hi' } },
    ...overrides,
  };
}

function submitErrors(input: unknown): FieldError[] {
  const result = validateForSubmit(input, context);
  return result.ok ? [] : result.error;
}
function draftErrors(input: unknown): FieldError[] {
  const result = validateDraft(input);
  return result.ok ? [] : result.error;
}

describe('a complete task', () => {
  it('is accepted, with names trimmed, times in UTC and defaults applied', () => {
    const result = validateForSubmit(task(), context);
    expect(result).toEqual({
      ok: true,
      value: {
        basic: { name: 'Spring sale', subjectType: 'user' },
        audience: { mode: 'segment', segmentId: 'seg_1', supplementaryIds: [] },
        trigger: {
          type: 'scheduled_once',
          sendAt: '2025-03-10T02:00:00.000Z',
          approvalTimeout: 'cancel',
          refreshSegment: true,
          refreshFailure: 'use_last',
        },
        delivery: {
          channelId: 'ch_1',
          phoneNumberId: 'pn_1',
          taskType: 'normal',
          content: { type: 'text', body: 'Hi' },
          globalLimit: true,
        },
      },
    });
  });

  it.each([
    ['recurring', recurringTrigger],
    ['triggered', triggeredTrigger],
    ['triggered_not', notBTrigger],
  ])('a %s trigger is accepted', (_, trigger) => {
    expect(submitErrors(task({ trigger }))).toEqual([]);
  });

  it('a rule audience with its options is accepted; the rule itself is the audience module’s to check', () => {
    const audience = { mode: 'rule', rule: { op: 'and', children: [] }, syncToSegmentList: false, authorisedRoleIds: ['role_ops'] };
    expect(submitErrors(task({ audience }))).toEqual([]);
  });
});

describe('step 2: basic information', () => {
  it('the name is required', () => {
    expect(submitErrors(task({ basic: {} }))).toEqual([{ path: 'basic.name', message: 'Name the task' }]);
    expect(submitErrors(task({ basic: { name: '   ' } }))).toEqual([{ path: 'basic.name', message: 'Name the task' }]);
  });
  it('the name has at most 100 characters after trimming', () => {
    expect(submitErrors(task({ basic: { name: ` ${'x'.repeat(100)} ` } }))).toEqual([]);
    expect(submitErrors(task({ basic: { name: 'x'.repeat(101) } }))).toEqual([
      { path: 'basic.name', message: 'A task name has at most 100 characters' },
    ]);
  });
  it('group, activity and subject type are kept', () => {
    const result = validateForSubmit(task({ basic: { name: 'A', groupId: 'g1', activityId: 'double11', subjectType: 'merchant' } }), context);
    expect(result.ok && result.value.basic).toEqual({ name: 'A', groupId: 'g1', activityId: 'double11', subjectType: 'merchant' });
  });
});

describe('step 3: audience', () => {
  it('a rule audience needs its rule and the segment-list option', () => {
    expect(submitErrors(task({ audience: { mode: 'rule' } }))).toEqual([
      { path: 'audience.rule', message: 'Define the audience rule' },
      { path: 'audience.syncToSegmentList', message: 'Say whether to show the segment in the segment list' },
    ]);
  });
  it('a segment audience needs its segment', () => {
    expect(submitErrors(task({ audience: { mode: 'segment' } }))).toEqual([{ path: 'audience.segmentId', message: 'Choose a segment' }]);
  });
  it('an unknown mode names the modes', () => {
    expect(submitErrors(task({ audience: { mode: 'everyone' } }))).toEqual([
      { path: 'audience.mode', message: 'Choose an audience: rule, segment or csv' },
    ]);
  });
  it('supplementary IDs are valid phone numbers, stored in E.164 (00 means +), duplicates merged', () => {
    const result = validateForSubmit(
      task({ audience: { mode: 'segment', segmentId: 's', supplementaryIds: ['+86 138 0013 8000', '008613800138000', '+44 7911 123456'] } }),
      context,
    );
    expect(result.ok && result.value.audience.supplementaryIds).toEqual(['+8613800138000', '+447911123456']);
  });
  it('an invalid supplementary ID is reported at its index', () => {
    const errors = submitErrors(task({ audience: { mode: 'segment', segmentId: 's', supplementaryIds: ['+8613800138000', '13800138000', '+1 555'] } }));
    expect(errors.map((e) => e.path)).toEqual(['audience.supplementaryIds.1', 'audience.supplementaryIds.2']);
    expect(errors[0]?.message).toBe('"13800138000" must start with + or 00 and the country code (E.164)');
  });
  it('an exclusion needs at least one task, each once, and a look-back of 1 to 365 days', () => {
    const audience = (exclusion: unknown) => task({ audience: { mode: 'segment', segmentId: 's', exclusion } });
    expect(submitErrors(audience({ taskIds: ['t1'], lookbackDays: 30 }))).toEqual([]);
    expect(submitErrors(audience({ taskIds: [] }))).toEqual([{ path: 'audience.exclusion.taskIds', message: 'Choose at least one task to exclude' }]);
    expect(submitErrors(audience({ taskIds: ['t1', 't1'] }))).toEqual([
      { path: 'audience.exclusion.taskIds', message: 'Each task may be chosen only once' },
    ]);
    expect(submitErrors(audience({ taskIds: ['t1'], lookbackDays: 0 }))).toEqual([
      { path: 'audience.exclusion.lookbackDays', message: 'Must be at least 1 day' },
    ]);
    expect(submitErrors(audience({ taskIds: ['t1'], lookbackDays: 366 }))).toEqual([
      { path: 'audience.exclusion.lookbackDays', message: 'At most 365 days' },
    ]);
  });
});

describe('CSV audiences', () => {
  const csv = { mode: 'csv', csvUploadId: 'up_1' };
  it('are accepted with both scheduled triggers', () => {
    expect(submitErrors(task({ audience: csv, trigger: onceTrigger }))).toEqual([]);
    expect(submitErrors(task({ audience: csv, trigger: recurringTrigger }))).toEqual([]);
  });
  it.each([
    ['triggered', triggeredTrigger],
    ['triggered_not', notBTrigger],
  ])('are refused with a %s trigger', (_, trigger) => {
    expect(submitErrors(task({ audience: csv, trigger }))).toEqual([
      { path: 'audience.mode', message: 'A CSV audience can only be used with a scheduled trigger (once or recurring)' },
    ]);
  });
  it('offer no exclusion', () => {
    expect(submitErrors(task({ audience: { ...csv, exclusion: { taskIds: ['t1'] } } }))).toEqual([
      { path: 'audience.exclusion', message: 'Exclusion of other tasks is not offered with a CSV audience' },
    ]);
  });
  it('need the uploaded file to be submitted, not to be saved as a draft', () => {
    expect(submitErrors(task({ audience: { mode: 'csv' } }))).toEqual([
      { path: 'audience.csvUploadId', message: 'Upload the CSV file of recipients' },
    ]);
    expect(draftErrors(task({ audience: { mode: 'csv' } }))).toEqual([]);
  });
});

describe('step 4: trigger rules', () => {
  it('the send time must be in the future when submitted', () => {
    expect(submitErrors(task({ trigger: { ...onceTrigger, sendAt: '2025-03-01T00:00:00Z' } }))).toEqual([
      { path: 'trigger.sendAt', message: 'The send time must be in the future' },
    ]);
    expect(submitErrors(task({ trigger: { ...onceTrigger, sendAt: '2025-03-01T00:00:00.001Z' } }))).toEqual([]);
  });
  it('a recurring end time must be after its start, and in the future', () => {
    expect(submitErrors(task({ trigger: { ...recurringTrigger, endAt: '2025-03-02T00:00:00Z' } }))).toEqual([
      { path: 'trigger.endAt', message: 'The end time must be after the start time' },
    ]);
    expect(
      submitErrors(task({ trigger: { ...recurringTrigger, startAt: '2025-02-01T00:00:00Z', endAt: '2025-02-28T00:00:00Z' } })),
    ).toEqual([{ path: 'trigger.endAt', message: 'The end time must be in the future' }]);
  });
  it('a recurring cycle must still occur between now and the end time', () => {
    const onThe31st = { ...recurringTrigger, cycle: { kind: 'monthly', days: [31], time: '10:00' }, endAt: '2025-04-30T00:00:00Z' };
    expect(submitErrors(task({ trigger: { ...onThe31st, startAt: '2025-04-01T00:00:00Z' } }))).toEqual([
      { path: 'trigger.cycle', message: 'No occurrence of this cycle falls between now (or the start time) and the end time' },
    ]);
    // A start in the past is fine while occurrences remain.
    expect(submitErrors(task({ trigger: { ...onThe31st, startAt: '2025-01-01T00:00:00Z' } }))).toEqual([]);
  });
  it('the event range must end after it starts', () => {
    const range = { start: '2025-03-31T00:00:00Z', end: '2025-03-31T00:00:00Z' };
    expect(submitErrors(task({ trigger: { ...triggeredTrigger, range } }))).toEqual([
      { path: 'trigger.range.end', message: 'The event range must end after it starts' },
    ]);
  });
  it('an explicit end time before the end of the event range is refused; at or after it is accepted', () => {
    expect(submitErrors(task({ trigger: { ...triggeredTrigger, endAt: '2025-03-30T23:59:59Z' } }))).toEqual([
      { path: 'trigger.endAt', message: 'The task end time cannot be before the end of the event range' },
    ]);
    expect(submitErrors(task({ trigger: { ...triggeredTrigger, endAt: '2025-03-31T00:00:00Z' } }))).toEqual([]);
  });
  it('an event range already over cannot be submitted', () => {
    const range = { start: '2025-02-01T00:00:00Z', end: '2025-03-01T00:00:00Z' };
    expect(submitErrors(task({ trigger: { ...triggeredTrigger, range } }))).toEqual([
      { path: 'trigger.range.end', message: 'The event range has already ended' },
    ]);
  });
  it('a delay is at most 365 days', () => {
    expect(submitErrors(task({ trigger: { ...triggeredTrigger, timing: { kind: 'delay', amount: 365, unit: 'days' } } }))).toEqual([]);
    expect(submitErrors(task({ trigger: { ...triggeredTrigger, timing: { kind: 'delay', amount: 8761, unit: 'hours' } } }))).toEqual([
      { path: 'trigger.timing.amount', message: 'A delay can be at most 365 days' },
    ]);
  });
  it('the not-B window is at most 365 days', () => {
    expect(submitErrors(task({ trigger: { ...notBTrigger, window: { amount: 366, unit: 'days' } } }))).toEqual([
      { path: 'trigger.window.amount', message: 'The window can be at most 365 days' },
    ]);
  });
  it('event B needs a name and its filters follow the property filter rules', () => {
    const errors = submitErrors(task({ trigger: { ...notBTrigger, eventB: { name: ' ', filters: [{ property: 'p', op: 'in', value: [] }] } } }));
    expect(errors.map((e) => e.path)).toEqual(['trigger.eventB.name', 'trigger.eventB.filters.0.value']);
    expect(errors[0]?.message).toBe('Name the event');
  });
  it('a triggered task without its required parts lists each one', () => {
    expect(submitErrors(task({ trigger: { type: 'triggered' } })).map((e) => [e.path, e.message])).toEqual([
      ['trigger.eventA', 'Required'],
      ['trigger.range', 'Required'],
      ['trigger.counting', 'Required'],
      ['trigger.timing', 'Choose a timing: immediate, delay, at_time or weekday'],
    ]);
  });
});

describe('step 5: delivery settings', () => {
  const delivery = (extra: Record<string, unknown>) => ({
    channelId: 'ch_1',
    phoneNumberId: 'pn_1',
    taskType: 'urgent',
    content: { type: 'text', body: 'Hi' },
    ...extra,
  });
  it('sender, task type and content are required', () => {
    expect(submitErrors(task({ delivery: {} })).map((e) => [e.path, e.message])).toEqual([
      ['delivery.channelId', 'Choose a channel'],
      ['delivery.phoneNumberId', 'Choose a sender phone number'],
      ['delivery.taskType', 'Use notification, urgent or normal'],
      ['delivery.content', 'Write the message content'],
    ]);
  });
  it('a task frequency cap is refused for scheduled-once tasks and accepted for the others', () => {
    const taskCap = { max: 2, period: 'week' };
    expect(submitErrors(task({ delivery: delivery({ taskCap }) }))).toEqual([
      { path: 'delivery.taskCap', message: 'A task frequency cap applies only to recurring and triggered tasks' },
    ]);
    expect(submitErrors(task({ trigger: recurringTrigger, delivery: delivery({ taskCap }) }))).toEqual([]);
    expect(submitErrors(task({ trigger: triggeredTrigger, delivery: delivery({ taskCap: { max: 1, period: 'lifetime' } }) }))).toEqual([]);
  });
  it('do-not-disturb needs two different HH:MM times; crossing midnight is fine', () => {
    expect(submitErrors(task({ delivery: delivery({ dnd: { start: '22:00', end: '08:00', action: 'defer' } }) }))).toEqual([]);
    expect(submitErrors(task({ delivery: delivery({ dnd: { start: '22:00', end: '22:00', action: 'drop' } }) }))).toEqual([
      { path: 'delivery.dnd.end', message: 'The do-not-disturb period must end at a different time than it starts' },
    ]);
    expect(submitErrors(task({ delivery: delivery({ dnd: { start: '22:00', end: '8:00', action: 'later' } }) }))).toEqual([
      { path: 'delivery.dnd.end', message: 'Use HH:MM, 24-hour (00:00 to 23:59)' },
      { path: 'delivery.dnd.action', message: 'Use drop or defer' },
    ]);
  });
  it('the global reach limit is on unless turned off', () => {
    const on = validateForSubmit(task({ delivery: delivery({}) }), context);
    const off = validateForSubmit(task({ delivery: delivery({ globalLimit: false }) }), context);
    expect(on.ok && on.value.delivery.globalLimit).toBe(true);
    expect(off.ok && off.value.delivery.globalLimit).toBe(false);
  });
  it('a task cap is a whole number of at least 1 per hour, day, week or lifetime', () => {
    expect(submitErrors(task({ trigger: recurringTrigger, delivery: delivery({ taskCap: { max: 0, period: 'month' } }) }))).toEqual([
      { path: 'delivery.taskCap.max', message: 'Must be at least 1' },
      { path: 'delivery.taskCap.period', message: 'Use hour, day, week or lifetime' },
    ]);
  });
});

describe('drafts', () => {
  it('an empty draft is valid', () => {
    expect(validateDraft({})).toEqual({ ok: true, value: {} });
  });
  it('a half-filled draft is valid and keeps what is there', () => {
    const result = validateDraft({
      basic: { name: 'Spring' },
      trigger: { type: 'recurring', cycle: { kind: 'weekly', time: '10:00' } },
      delivery: { dnd: { start: '22:00' } },
    });
    expect(result).toEqual({
      ok: true,
      value: {
        basic: { name: 'Spring', subjectType: 'user' },
        trigger: { type: 'recurring', cycle: { kind: 'weekly', time: '10:00' }, refreshSegment: true, refreshFailure: 'use_last' },
        delivery: { dnd: { start: '22:00' }, globalLimit: true },
      },
    });
  });
  it('whatever is present must be valid', () => {
    expect(draftErrors({ basic: { name: 'x'.repeat(101) }, trigger: { type: 'recurring', cycle: { kind: 'weekly', weekdays: [8] } } })).toEqual([
      { path: 'basic.name', message: 'A task name has at most 100 characters' },
      { path: 'trigger.cycle.weekdays.0', message: 'A weekday is a whole number from 1 (Monday) to 7 (Sunday)' },
    ]);
  });
  it('a step that is present says which kind it is', () => {
    expect(draftErrors({ trigger: { sendAt: '2025-03-10T02:00:00Z' } })).toEqual([
      { path: 'trigger.type', message: 'Choose a trigger type: scheduled_once, recurring, triggered or triggered_not' },
    ]);
  });
  it('cross-field rules apply among the fields present', () => {
    expect(draftErrors({ audience: { mode: 'csv', exclusion: { taskIds: ['t1'] } }, trigger: { type: 'triggered' } })).toEqual([
      { path: 'audience.mode', message: 'A CSV audience can only be used with a scheduled trigger (once or recurring)' },
      { path: 'audience.exclusion', message: 'Exclusion of other tasks is not offered with a CSV audience' },
    ]);
    expect(draftErrors({ trigger: { type: 'triggered', range: { start: '2025-03-31T00:00:00Z', end: '2025-03-01T00:00:00Z' } } })).toEqual([
      { path: 'trigger.range.end', message: 'The event range must end after it starts' },
    ]);
  });
  it('a half-written event filter is kept, but it must say its operator', () => {
    const trigger = (filter: unknown) => ({ trigger: { type: 'triggered', eventA: { name: 'purchase', filters: [filter] } } });
    expect(draftErrors(trigger({ property: 'amount', op: 'gt' }))).toEqual([]);
    expect(draftErrors(trigger({ property: 'amount', op: 'gt', value: 'ten' })).map((e) => e.path)).toEqual([
      'trigger.eventA.filters.0.value',
    ]);
    expect(draftErrors(trigger({ property: 'amount' })).map((e) => e.path)).toEqual(['trigger.eventA.filters.0.op']);
    expect(submitErrors(task({ trigger: { ...triggeredTrigger, eventA: { name: 'purchase', filters: [{ property: 'amount', op: 'gt' }] } } })).map((e) => e.path)).toEqual([
      'trigger.eventA.filters.0.value',
    ]);
  });
  it('a draft may hold a send time in the past', () => {
    expect(draftErrors(task({ trigger: { ...onceTrigger, sendAt: '2020-01-01T00:00:00Z' } }))).toEqual([]);
  });
  it('submitting reports missing fields and cross-field problems together', () => {
    const errors = submitErrors({ basic: { name: 'A' }, audience: { mode: 'csv', csvUploadId: 'u' }, trigger: { type: 'triggered' } });
    expect(errors).toContainEqual({ path: 'audience.mode', message: 'A CSV audience can only be used with a scheduled trigger (once or recurring)' });
    expect(errors).toContainEqual({ path: 'delivery', message: 'Required' });
  });
  it('validateTask dispatches on purpose', () => {
    expect(validateTask({}, { ...context, purpose: 'draft' }).ok).toBe(true);
    expect(validateTask({}, { ...context, purpose: 'submit' }).ok).toBe(false);
  });
});

describe('validateTrigger for the timing preview', () => {
  it('checks a complete trigger, with paths under the given prefix', () => {
    expect(validateTrigger({ ...triggeredTrigger, endAt: '2025-03-01T00:00:00Z' }, { pathPrefix: 'trigger' })).toEqual({
      ok: false,
      error: [{ path: 'trigger.endAt', message: 'The task end time cannot be before the end of the event range' }],
    });
    expect(validateTrigger({ type: 'recurring' }).ok).toBe(false);
  });
  it('applies the submission rules only when asked', () => {
    const past = { ...onceTrigger, sendAt: '2020-01-01T00:00:00Z' };
    expect(validateTrigger(past).ok).toBe(true);
    expect(validateTrigger(past, { submission: context })).toEqual({
      ok: false,
      error: [{ path: 'sendAt', message: 'The send time must be in the future' }],
    });
  });
});
