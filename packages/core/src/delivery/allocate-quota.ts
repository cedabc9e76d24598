/**
 * Priority among messages due together for one user (SPEC section 3, step 5, and section 5, step 6):
 * `notification` > `urgent` > `normal`. The higher priority takes the frequency quota first, and a
 * `notification` still goes out when the quota is spent — but it still counts, so it uses up quota for
 * the rest of the period.
 */
export type DeliveryPriority = 'notification' | 'urgent' | 'normal';
export const DELIVERY_PRIORITIES: readonly DeliveryPriority[] = ['notification', 'urgent', 'normal'];

const PRIORITY_RANK: Record<DeliveryPriority, number> = { notification: 0, urgent: 1, normal: 2 };

export interface QuotaCandidate {
  deliveryId: string;
  priority: DeliveryPriority;
  /** Epoch ms the message fell due. */
  dueAt: number;
}

export interface QuotaState {
  /** Messages already counted in this cap window. */
  used: number;
  /** The cap; null when no cap applies (the global reach limit is off). */
  limit: number | null;
  /**
   * Whether `notification` messages pass a spent quota (default true). A task's own frequency cap is
   * set by the operator for that task, so it passes false there and the cap holds for every priority.
   */
  notificationBypass?: boolean;
}

export interface QuotaAllocation<C extends QuotaCandidate> {
  /** Candidates that may send, in priority order. */
  granted: C[];
  /** Candidates the cap stops, in priority order. */
  denied: C[];
  /** `used` after the granted ones are counted (may exceed the limit through notifications). */
  used: number;
}

/** Priority first, then earlier due time, then delivery ID: a total order, so every worker agrees. */
export function compareQuotaCandidates(a: QuotaCandidate, b: QuotaCandidate): number {
  return (
    PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
    a.dueAt - b.dueAt ||
    (a.deliveryId < b.deliveryId ? -1 : a.deliveryId > b.deliveryId ? 1 : 0)
  );
}

/**
 * Decides, for one user and one cap, which of the messages due together take the quota. Apply it once
 * per cap in SPEC order (task cap, then channel cap, then cross-channel cap), passing only the granted
 * messages on to the next cap.
 */
export function allocateQuota<C extends QuotaCandidate>(candidates: readonly C[], state: QuotaState): QuotaAllocation<C> {
  const ordered = [...candidates].sort(compareQuotaCandidates);
  const bypass = state.notificationBypass ?? true;
  const granted: C[] = [];
  const denied: C[] = [];
  let used = state.used;
  for (const c of ordered) {
    const fits = state.limit === null || used < state.limit;
    if (fits || (bypass && c.priority === 'notification')) {
      granted.push(c);
      used++;
    } else {
      denied.push(c);
    }
  }
  return { granted, denied, used };
}
