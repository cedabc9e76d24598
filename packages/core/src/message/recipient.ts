/**
 * Who a message is rendered for. A recipient from a CSV list without a profile has no `oneId` and empty
 * attributes and tags; `contentNeedsProfile` tells the server beforehand whether that fails the send.
 */
export interface MessageRecipient {
  /** The internal one-ID of the profile, when there is one. */
  oneId?: string;
  /** The WhatsApp number in E.164, with its leading `+`. */
  phone: string;
  attributes: Record<string, unknown>;
  tags: Record<string, unknown>;
}
