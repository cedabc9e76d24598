export interface BackoffPolicy {
  /** Ceiling of the first retry's delay. */
  baseMs: number;
  /** No delay exceeds this. */
  maxMs: number;
  /** Growth per attempt (default 2; WhatsApp's pair rate limit asks for 4). */
  factor?: number;
}

/**
 * Delay before retry number `attempt` (1 = the first retry): exponential, capped, with "equal jitter" —
 * uniformly between half the ceiling and the ceiling — so that workers throttled together do not retry
 * together, yet none retries much sooner than the policy asks. `random` returns [0, 1) (inject it:
 * core has no hidden randomness).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const n = Math.max(1, Math.floor(attempt));
  const factor = policy.factor ?? 2;
  // Exponent capped so the power cannot overflow to Infinity on absurd attempt numbers.
  const exponent = Math.min(n - 1, 64);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * factor ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling / 2 + (r * ceiling) / 2);
}
