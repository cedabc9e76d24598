import { describe, expect, it } from 'vitest';
import { allocateQuota, type QuotaCandidate } from './allocate-quota';

const c = (deliveryId: string, priority: QuotaCandidate['priority'], dueAt = 0): QuotaCandidate => ({ deliveryId, priority, dueAt });
const ids = (xs: QuotaCandidate[]) => xs.map((x) => x.deliveryId);

describe('allocating the frequency quota among messages due together', () => {
  it('the last unit of quota goes to the highest priority', () => {
    const r = allocateQuota([c('n1', 'normal'), c('u1', 'urgent')], { used: 1, limit: 2 });
    expect(ids(r.granted)).toEqual(['u1']);
    expect(ids(r.denied)).toEqual(['n1']);
    expect(r.used).toBe(2);
  });

  it('notification > urgent > normal take the quota in that order', () => {
    const r = allocateQuota([c('n1', 'normal'), c('u1', 'urgent'), c('x1', 'notification')], { used: 0, limit: 2 });
    expect(ids(r.granted)).toEqual(['x1', 'u1']);
    expect(ids(r.denied)).toEqual(['n1']);
  });

  it('a notification still sends when the quota is spent, and still counts', () => {
    const r = allocateQuota([c('x1', 'notification'), c('u1', 'urgent')], { used: 2, limit: 2 });
    expect(ids(r.granted)).toEqual(['x1']);
    expect(ids(r.denied)).toEqual(['u1']);
    expect(r.used).toBe(3);
  });

  it('a notification spends quota that lower priorities then lack', () => {
    const r = allocateQuota([c('u1', 'urgent'), c('x1', 'notification')], { used: 1, limit: 2 });
    expect(ids(r.granted)).toEqual(['x1']);
    expect(ids(r.denied)).toEqual(['u1']);
  });

  it('a task cap can hold notifications too (notificationBypass: false)', () => {
    const r = allocateQuota([c('x1', 'notification'), c('x2', 'notification')], { used: 0, limit: 1, notificationBypass: false });
    expect(ids(r.granted)).toEqual(['x1']);
    expect(ids(r.denied)).toEqual(['x2']);
  });

  it('within one priority: earlier due first, then delivery ID', () => {
    const r = allocateQuota([c('b', 'normal', 10), c('c', 'normal', 5), c('a', 'normal', 10)], { used: 0, limit: 2 });
    expect(ids(r.granted)).toEqual(['c', 'a']);
    expect(ids(r.denied)).toEqual(['b']);
  });

  it('without a cap everything goes, in priority order', () => {
    const r = allocateQuota([c('n', 'normal'), c('u', 'urgent')], { used: 100, limit: null });
    expect(ids(r.granted)).toEqual(['u', 'n']);
    expect(r.used).toBe(102);
  });

  it('a limit of zero denies all but notifications', () => {
    const r = allocateQuota([c('n', 'normal'), c('x', 'notification')], { used: 0, limit: 0 });
    expect(ids(r.granted)).toEqual(['x']);
  });

  it('keeps the caller type', () => {
    const r = allocateQuota([{ ...c('n', 'normal'), taskId: 't1' }], { used: 0, limit: 1 });
    expect(r.granted[0]?.taskId).toBe('t1');
  });
});
