/** When an `on_demand` segment is refreshed before a scheduled run. */

/** Project setting default (SPEC section 3). */
export const DEFAULT_SEGMENT_REFRESH_LEAD_MINUTES = 15;

export function segmentRefreshAt(runAt: Date, leadMinutes: number = DEFAULT_SEGMENT_REFRESH_LEAD_MINUTES): Date {
  return new Date(runAt.getTime() - leadMinutes * 60_000);
}
