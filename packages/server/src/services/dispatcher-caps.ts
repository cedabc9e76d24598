import { allocateQuota, capCounterKey, capWindow, type CapPeriod, type DeliveryPriority, type ProjectSettings, type TaskCap } from '@wareach/core';
import type { CapStore } from '../adapters/storage/cap-store';
import type { DeliveryRow, DeliveryStore } from '../adapters/storage/delivery-store';

export interface CapTaskInfo {
  taskCap: TaskCap | undefined;
  globalLimit: boolean;
}

export type CapReason = 'task_cap' | 'channel_cap' | 'cross_channel_cap';
export type CapDecision = { granted: true } | { granted: false; reason: CapReason | 'not_queued' };

/** The counted subject of a delivery: its one-ID, or the phone of a profile-less CSV recipient. */
const subjectOf = (row: DeliveryRow) => row.profile_id ?? row.phone ?? row.recipient;

/** True when no cap can apply to these tasks: the caps step then has nothing to count or decide. */
export function capsApply(settings: ProjectSettings, infos: (CapTaskInfo | undefined)[]): boolean {
  return settings.channelCap != null || settings.crossChannelCap != null || infos.some((i) => i?.taskCap !== undefined);
}

/**
 * SPEC section 5, step 6, for a batch of deliveries at once: the task cap, then the channel and
 * cross-channel caps unless the task turned the global limit off, in priority order among each
 * recipient's messages due together. A recipient's candidates are all of its queued, due deliveries
 * not yet through the caps — whatever task or job they belong to — so three tasks due at once for one
 * user are ordered notification > urgent > normal even though separate jobs carry them. Counting,
 * marking the granted deliveries (`cap_granted`) and skipping the denied ones happen in one
 * transaction holding the recipients' locks, so a second job for the same delivery never counts it
 * twice and a crash never leaves a counted delivery unmarked. Every send counts toward the channel
 * caps, even from a task whose global limit is off.
 *
 * Why a SQL transaction and not a Redis Lua script when Redis is configured: the grant must commit
 * atomically with the delivery's `cap_granted` mark and the skips of the denied — a counter in Redis
 * and a mark in the database can disagree after a crash (counted twice, or never). One transaction per
 * dispatch batch (up to 200 recipients) keeps it cheap; on PostgreSQL the recipients' advisory locks
 * serialise workers deciding for the same user.
 */
export async function consumeCapsBatch(
  deps: { caps: CapStore; store: DeliveryStore; taskInfo: (taskId: string) => Promise<CapTaskInfo | undefined> },
  rows: DeliveryRow[],
  settings: ProjectSettings,
  now: number,
): Promise<Map<string, CapDecision>> {
  const decisions = new Map<string, CapDecision>();
  if (!rows.length) return decisions;
  const tz = settings.timezone;
  const subjects = [...new Set(rows.map(subjectOf))];
  return deps.caps.withRecipientLocks(subjects, async (trx) => {
    const fresh = await trx.selectFrom('deliveries').selectAll().where('id', 'in', rows.map((r) => r.id)).execute();
    const byId = new Map(fresh.map((r) => [r.id, r]));
    const profiles = [...new Set(fresh.filter((r) => r.state === 'queued' && r.cap_granted !== 1 && r.profile_id).map((r) => r.profile_id!))];
    const others = await deps.store.dueForProfiles(trx, profiles, now);
    // Candidates per subject: the batch's own rows still queued, plus the subject's other due ones.
    const bySubject = new Map<string, Map<string, DeliveryRow>>();
    for (const r of rows) {
      const f = byId.get(r.id);
      if (!f || f.state !== 'queued') { decisions.set(r.id, { granted: false, reason: 'not_queued' }); continue; }
      if (f.cap_granted === 1) { decisions.set(r.id, { granted: true }); continue; }
      const m = bySubject.get(subjectOf(f)) ?? new Map<string, DeliveryRow>();
      m.set(f.id, f);
      bySubject.set(subjectOf(f), m);
    }
    for (const o of others) bySubject.get(subjectOf(o))?.set(o.id, o);

    const infos = new Map<string, CapTaskInfo | undefined>();
    for (const m of bySubject.values()) for (const c of m.values()) if (!infos.has(c.task_id)) infos.set(c.task_id, await deps.taskInfo(c.task_id));
    const key = (scope: 'task' | 'channel' | 'cross_channel', scopeId: string, subject: string, period: CapPeriod | 'lifetime') =>
      capCounterKey({ scope, scopeId, oneId: subject, period, now, timezone: tz });
    const expiry = (period: CapPeriod) => capWindow(period, now, tz).end;

    // Every counter any candidate may touch, read once.
    const keys: string[] = [];
    for (const [subject, m] of bySubject) {
      for (const taskId of new Set([...m.values()].map((c) => c.task_id))) {
        const cap = infos.get(taskId)?.taskCap;
        if (cap) keys.push(key('task', taskId, subject, cap.period));
      }
      if (settings.channelCap) keys.push(key('channel', 'whatsapp', subject, settings.channelCap.period));
      if (settings.crossChannelCap) keys.push(key('cross_channel', 'whatsapp', subject, settings.crossChannelCap.period));
    }
    const used = await deps.caps.read(trx, keys, now);

    const adds = new Map<string, { key: string; n: number; expiresAt: number | null }>();
    const addTo = (k: string, n: number, exp: number | null) => {
      const a = adds.get(k) ?? { key: k, n: 0, expiresAt: exp };
      a.n += n;
      adds.set(k, a);
    };
    const granted: string[] = [];
    const denied = new Map<CapReason, string[]>();
    const deny = (id: string, reason: CapReason) => denied.set(reason, [...(denied.get(reason) ?? []), id]);

    for (const [subject, m] of bySubject) {
      const q = [...m.values()].map((c) => ({ deliveryId: c.id, priority: c.priority as DeliveryPriority, dueAt: Number(c.due_at), row: c }));
      // Task caps: per task, notifications included (the operator set it for this task).
      const byTask = new Map<string, typeof q>();
      for (const c of q) byTask.set(c.row.task_id, [...(byTask.get(c.row.task_id) ?? []), c]);
      let passed: typeof q = [];
      const taskKeys: { key: string; taskId: string; exp: number | null }[] = [];
      for (const [taskId, list] of byTask) {
        const cap = infos.get(taskId)?.taskCap;
        if (!cap) { passed.push(...list); continue; }
        const k = key('task', taskId, subject, cap.period);
        const a = allocateQuota(list, { used: used.get(k) ?? 0, limit: cap.max, notificationBypass: false });
        a.denied.forEach((d) => deny(d.deliveryId, 'task_cap'));
        passed.push(...a.granted);
        taskKeys.push({ key: k, taskId, exp: expiry(cap.period) });
      }
      // Channel, then cross-channel: only tasks with the global limit on are limited; all are counted.
      const unlimited = passed.filter((c) => infos.get(c.row.task_id)?.globalLimit === false);
      passed = passed.filter((c) => infos.get(c.row.task_id)?.globalLimit !== false);
      const capKeys: { key: string; exp: number | null }[] = [];
      for (const [scope, cap, reason] of [
        ['channel', settings.channelCap, 'channel_cap'],
        ['cross_channel', settings.crossChannelCap, 'cross_channel_cap'],
      ] as const) {
        if (!cap) continue;
        const k = key(scope, 'whatsapp', subject, cap.period);
        const a = allocateQuota(passed, { used: used.get(k) ?? 0, limit: cap.max });
        a.denied.forEach((d) => deny(d.deliveryId, reason));
        passed = a.granted;
        capKeys.push({ key: k, exp: expiry(cap.period) });
      }
      const all = [...passed, ...unlimited];
      for (const t of taskKeys) addTo(t.key, all.filter((c) => c.row.task_id === t.taskId).length, t.exp);
      for (const c of capKeys) addTo(c.key, all.length, c.exp);
      granted.push(...all.map((c) => c.deliveryId));
    }

    await deps.caps.addMany(trx, [...adds.values()]);
    await deps.store.markCapGranted(trx, granted);
    for (const [reason, ids] of denied) await deps.store.skipManyIn(trx, ids, reason, now);
    for (const id of granted) if (!decisions.has(id)) decisions.set(id, { granted: true });
    for (const [reason, ids] of denied) for (const id of ids) decisions.set(id, { granted: false, reason });
    return decisions;
  });
}
