import { allocateQuota, capCounterKey, capWindow, type CapPeriod, type DeliveryPriority, type ProjectSettings, type TaskCap } from '@wareach/core';
import type { CapStore } from '../adapters/storage/cap-store';
import type { DeliveryRow, DeliveryStore } from '../adapters/storage/delivery-store';

export interface CapTaskInfo {
  taskCap: TaskCap | undefined;
  globalLimit: boolean;
}

export type CapDecision = { granted: true } | { granted: false; reason: 'task_cap' | 'channel_cap' | 'cross_channel_cap' };

/**
 * SPEC section 5, step 6: the task cap, then the channel and cross-channel caps unless the task turned
 * the global limit off, in priority order among the recipient's messages due together. The candidates
 * are all of the recipient's queued, due deliveries not yet through the caps — whatever task or job
 * they belong to — so three tasks due at once for one user are ordered notification > urgent > normal
 * even though separate jobs carry them. Granted deliveries are marked (`cap_granted`) in the same
 * transaction that counts them, so a second job for the same delivery never counts it twice.
 * Every send counts toward the channel caps, even from a task whose global limit is off.
 */
export async function consumeCaps(
  deps: { caps: CapStore; store: DeliveryStore; taskInfo: (taskId: string) => Promise<CapTaskInfo | undefined> },
  row: DeliveryRow,
  settings: ProjectSettings,
  now: number,
): Promise<{ decision: CapDecision; deniedOthers: { id: string; reason: CapDecision & { granted: false } }[] }> {
  const subject = row.profile_id ?? row.phone ?? row.recipient;
  const tz = settings.timezone;
  return deps.caps.withRecipientLock(subject, async (trx) => {
    const fresh = await trx.selectFrom('deliveries').selectAll().where('id', '=', row.id).executeTakeFirst();
    if (!fresh || fresh.state !== 'queued') return { decision: { granted: false as const, reason: 'task_cap' as const }, deniedOthers: [] };
    if (fresh.cap_granted === 1) return { decision: { granted: true as const }, deniedOthers: [] };
    const others = row.profile_id ? await deps.store.dueForProfile(trx, row.profile_id, now) : [];
    const candidates = [fresh, ...others.filter((o) => o.id !== fresh.id)];
    const infos = new Map<string, CapTaskInfo | undefined>();
    for (const c of candidates) if (!infos.has(c.task_id)) infos.set(c.task_id, await deps.taskInfo(c.task_id));
    const q = (c: DeliveryRow) => ({ deliveryId: c.id, priority: c.priority as DeliveryPriority, dueAt: Number(c.due_at), row: c });

    const denied = new Map<string, 'task_cap' | 'channel_cap' | 'cross_channel_cap'>();
    const key = (scope: 'task' | 'channel' | 'cross_channel', scopeId: string, period: CapPeriod | 'lifetime') =>
      capCounterKey({ scope, scopeId, oneId: subject, period, now, timezone: tz });
    const expiry = (period: CapPeriod) => capWindow(period, now, tz).end;

    // Task caps: per task, notifications included (the operator set it for this task).
    let passed = candidates.map(q);
    const byTask = new Map<string, typeof passed>();
    for (const c of passed) byTask.set(c.row.task_id, [...(byTask.get(c.row.task_id) ?? []), c]);
    passed = [];
    const taskAdds: { key: string; taskId: string; exp: number | null }[] = [];
    for (const [taskId, list] of byTask) {
      const cap = infos.get(taskId)?.taskCap;
      if (!cap) { passed.push(...list); continue; }
      const k = key('task', taskId, cap.period);
      const used = (await deps.caps.read(trx, [k], now)).get(k) ?? 0;
      const a = allocateQuota(list, { used, limit: cap.max, notificationBypass: false });
      a.denied.forEach((d) => denied.set(d.deliveryId, 'task_cap'));
      passed.push(...a.granted);
      taskAdds.push({ key: k, taskId, exp: expiry(cap.period) });
    }

    // Channel, then cross-channel: only tasks with the global limit on are limited; all are counted.
    const limited = passed.filter((c) => infos.get(c.row.task_id)?.globalLimit !== false);
    const unlimited = passed.filter((c) => infos.get(c.row.task_id)?.globalLimit === false);
    let granted = limited;
    const capAdds: { key: string; exp: number | null }[] = [];
    for (const [scope, cap, reason] of [
      ['channel', settings.channelCap, 'channel_cap'],
      ['cross_channel', settings.crossChannelCap, 'cross_channel_cap'],
    ] as const) {
      if (!cap) continue;
      const k = key(scope, 'whatsapp', cap.period);
      const used = (await deps.caps.read(trx, [k], now)).get(k) ?? 0;
      const a = allocateQuota(granted, { used, limit: cap.max });
      a.denied.forEach((d) => denied.set(d.deliveryId, reason));
      granted = a.granted;
      capAdds.push({ key: k, exp: expiry(cap.period) });
    }
    const all = [...granted, ...unlimited];
    for (const t of taskAdds) {
      await deps.caps.add(trx, t.key, all.filter((c) => c.row.task_id === t.taskId).length, t.exp);
    }
    for (const c of capAdds) await deps.caps.add(trx, c.key, all.length, c.exp);
    await deps.store.markCapGranted(trx, all.map((c) => c.deliveryId));
    for (const [id, reason] of denied) {
      await trx.updateTable('deliveries').set({ state: 'skipped', reason, skipped_at: now, updated_at: now }).where('id', '=', id).where('state', '=', 'queued').execute();
    }
    const mine = denied.get(fresh.id);
    return {
      decision: mine ? { granted: false as const, reason: mine } : { granted: true as const },
      deniedOthers: [...denied].filter(([id]) => id !== fresh.id).map(([id, reason]) => ({ id, reason: { granted: false as const, reason } })),
    };
  });
}
