import { describe, expect, it } from 'vitest';
import { initialValues, setIn, type WizardValues } from './wizard-model';
import { firstStepWithError, validateStep } from './wizard-validation';

const ctx = { now: new Date('2026-11-25T00:00:00Z'), timezone: 'Asia/Shanghai' };

function complete(): WizardValues {
  let v = initialValues(null);
  v = setIn(v, 'basic.name', 'Double 11 reminder');
  v = setIn(v, 'audience.rule', { kind: 'and', children: [{ kind: 'attribute', name: 'city', valueType: 'string', op: 'eq', value: 'Shanghai' }] });
  v = setIn(v, 'trigger.sendAt', '2026-11-26T02:00:00Z');
  v = setIn(v, 'delivery.channelId', 'ch1');
  v = setIn(v, 'delivery.phoneNumberId', 'pn1');
  v = setIn(v, 'delivery.content', { type: 'buttons', body: 'Hi {{attr.name | "there"}}', buttons: [{ id: 'yes', title: 'Yes' }] });
  return v;
}

describe('wizard step validation', () => {
  it('a complete task has no errors on any step', () => {
    const v = complete();
    for (const step of ['channel', 'basic', 'audience', 'trigger', 'delivery', 'summary'] as const) expect(validateStep(step, v, ctx)).toEqual({});
  });

  it('the basic step requires a name and reports it at basic.name', () => {
    const e = validateStep('basic', setIn(complete(), 'basic.name', '  '), ctx);
    expect(Object.keys(e)).toEqual(['basic.name']);
  });

  it('errors of later steps do not block an earlier step', () => {
    const v = setIn(complete(), 'delivery.channelId', '');
    expect(validateStep('basic', v, ctx)).toEqual({});
    expect(Object.keys(validateStep('delivery', v, ctx))).toContain('delivery.channelId');
  });

  it('a rule condition without a name is reported at its path in the rule', () => {
    const v = setIn(complete(), 'audience.rule.children.0.name', '');
    expect(Object.keys(validateStep('audience', v, ctx))).toContain('audience.rule.children.0.name');
  });

  it('a CSV audience with a triggered task is refused', () => {
    let v = setIn(complete(), 'audience', { mode: 'csv', supplementaryIds: [] });
    v = setIn(v, 'trigger', { type: 'triggered', eventA: { name: 'open_app', filters: [] }, range: { start: '2026-11-26T00:00:00Z', end: '2026-11-30T00:00:00Z' }, counting: { kind: 'cumulative', n: 1 }, timing: { kind: 'immediate' } });
    const e = validateStep('summary', v, ctx);
    expect(Object.keys(e).some((p) => p.startsWith('audience') || p.startsWith('trigger'))).toBe(true);
  });

  it('a send time in the past is refused on the trigger step', () => {
    const e = validateStep('trigger', setIn(complete(), 'trigger.sendAt', '2026-11-24T00:00:00Z'), ctx);
    expect(Object.keys(e)).toContain('trigger.sendAt');
  });

  it('a reply button title over 20 characters is refused at its path', () => {
    const e = validateStep('delivery', setIn(complete(), 'delivery.content.buttons.0.title', 'x'.repeat(21)), ctx);
    expect(Object.keys(e)).toContain('delivery.content.buttons.0.title');
  });

  it('an invalid supplementary ID is refused by index', () => {
    const e = validateStep('audience', setIn(complete(), 'audience.supplementaryIds', ['+8613800000000', 'not-a-phone']), ctx);
    expect(Object.keys(e)).toContain('audience.supplementaryIds.1');
  });

  it('the first step with an error is where submission sends the operator', () => {
    expect(firstStepWithError({ 'trigger.sendAt': 'x', 'delivery.channelId': 'y' })).toBe('trigger');
    expect(firstStepWithError({ 'basic.name': 'x' })).toBe('basic');
  });
});
