/**
 * WhatsApp's customer-service window (NOTES 5.3): a message from the user opens or refreshes a 24-hour
 * window in which any message type may be sent; outside it only templates (else error 131047). We check
 * it before calling the API (SPEC section 5, step 4) so a closed window costs no request.
 */
export const SERVICE_WINDOW_MS = 24 * 3_600_000;

/** When the window opened by the user's last inbound message closes (exclusive), or null if none. */
export const serviceWindowClosesAt = (lastInboundAt: number | null | undefined): number | null =>
  lastInboundAt == null ? null : lastInboundAt + SERVICE_WINDOW_MS;

/**
 * Open while `now` is less than 24 hours after the user's last inbound message; exactly 24 hours after
 * it the window is closed. A last inbound time slightly ahead of `now` (clock skew) counts as open.
 */
export function serviceWindowOpen(lastInboundAt: number | null | undefined, now: number): boolean {
  const closes = serviceWindowClosesAt(lastInboundAt);
  return closes !== null && now < closes;
}

/** After WhatsApp declines a marketing message with 131049, wait this long before another (NOTES 5.4). */
export const MARKETING_LIMIT_HOLD_MS = 24 * 3_600_000;

/** True while a 131049 at `lastMarketingLimitAt` still holds off marketing messages to that user. */
export function marketingHoldActive(lastMarketingLimitAt: number | null | undefined, now: number): boolean {
  return lastMarketingLimitAt != null && now < lastMarketingLimitAt + MARKETING_LIMIT_HOLD_MS;
}
