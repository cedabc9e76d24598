/** SPEC section 3: a task still unapproved 72 hours after its send time is cancelled, whatever its policy. */
export const APPROVAL_GRACE_HOURS = 72;

export function approvalDeadline(sendAt: Date): Date {
  return new Date(sendAt.getTime() + APPROVAL_GRACE_HOURS * 3_600_000);
}
