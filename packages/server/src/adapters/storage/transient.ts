/** Attempts of a replayable PostgreSQL session before its error is the caller's. */
const SESSION_ATTEMPTS = 5;

/**
 * PostgreSQL errors that another session caused and that writing the same transaction again resolves:
 * a deadlock (40P01), a serialization failure (40001), and a unique violation (23505) — the keys the
 * profile and event writes insert without ON CONFLICT (a new identity, a new profile's one-ID) are ones
 * they looked up first and found free, so a violation means another writer (an API request, a bulk
 * import's other session) took the key in between; written again, the look-up finds it.
 */
function transientWithOthers(e: unknown): boolean {
  const code = typeof e === 'object' && e !== null && 'code' in e ? (e as { code: unknown }).code : undefined;
  return code === '40P01' || code === '40001' || code === '23505';
}

/**
 * Runs a transaction; when `replayable` (its body can run again from the start, as a bulk import's
 * gathered transaction can) and it failed for a reason another session caused, runs it again, up to
 * SESSION_ATTEMPTS times. `rolledBack` undoes what a failed attempt left outside the database.
 */
export async function withRetries<T>(transaction: () => Promise<T>, replayable: boolean | undefined, rolledBack?: () => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (e) {
      if (!replayable || attempt >= SESSION_ATTEMPTS || !transientWithOthers(e)) throw e;
      rolledBack?.();
    }
  }
}
