import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { InboxRow, WebhookStore } from '../adapters/storage/webhook-store';
import type { ChannelService } from './channels';
import type { Clock } from './ports';

/**
 * The receiving half of WhatsApp webhooks: the verification handshake and the signed POST. A POST is
 * checked against the channel's app secret over the exact bytes received, stored raw in the inbox, and
 * answered; the drain (webhooks-drain.ts) processes it afterwards, so Meta gets its 200 quickly (NOTES 3.2,
 * 3.3) and a crash between the two loses nothing.
 */
export type HandshakeResult = { ok: true; challenge: string } | { ok: false; status: 403 | 404; reason: string };
export type ReceiveResult = { ok: true; inboxId: number } | { ok: false; status: 401 | 404; reason: string };

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/** `\uXXXX` for every non-ASCII UTF-16 code unit: the form Meta computes its signature over (NOTES 3.2). */
export function escapeUnicode(text: string): string {
  return text.replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/**
 * True when `header` is `sha256=<hex HMAC-SHA256(appSecret, raw)>`, compared in constant time. A body with
 * non-ASCII bytes is also tried in Meta's escaped-unicode form, in case a proxy unescaped it on the way.
 */
export function verifySignature(raw: Buffer, header: string | undefined, appSecret: string): boolean {
  const m = header ? SIGNATURE.exec(header.trim()) : null;
  if (!m) return false;
  const given = Buffer.from(m[1]!.toLowerCase(), 'hex');
  const matches = (bytes: Buffer | string) => timingSafeEqual(given, createHmac('sha256', appSecret).update(bytes).digest());
  if (matches(raw)) return true;
  const nonAscii = raw.some((b) => b > 0x7f);
  return nonAscii ? matches(escapeUnicode(raw.toString('utf8'))) : false;
}

/**
 * A drain of this process that takes the payloads this process receives straight from the receive path
 * (webhooks-drain.ts): the row is stored already claimed by it and handed over in memory, so the drain
 * neither claims it (an UPDATE) nor reads it back. Bounded by the drain: when it has enough queued,
 * `reserve` says no and the payload is stored pending, for any drain to claim.
 */
export interface LocalDrain {
  readonly claimant: string;
  /** Room for one more payload? If true, exactly one of `take` or `cancel` follows. */
  reserve(): boolean;
  /** The reserved payload is stored, claimed by this drain. */
  take(row: InboxRow): void;
  /** The reserved payload was not stored. */
  cancel(): void;
}

export function createWebhookService(deps: { channels: ChannelService; store: WebhookStore; clock: Clock; logger: Logger }) {
  const listeners: (() => void)[] = [];
  let local: LocalDrain | undefined;

  return {
    /** `GET /webhooks/whatsapp/{channelId}`: echo hub.challenge when mode and token match. */
    async handshake(channelId: string, query: Record<string, unknown>): Promise<HandshakeResult> {
      const l = await deps.channels.withSecrets(channelId);
      if (!l) return { ok: false, status: 404, reason: 'unknown channel' };
      const mode = query['hub.mode'];
      const token = query['hub.verify_token'];
      const challenge = query['hub.challenge'];
      const expected = Buffer.from(l.secrets.verifyToken);
      const tokenOk = typeof token === 'string' && token.length === l.secrets.verifyToken.length && timingSafeEqual(Buffer.from(token), expected);
      if (mode !== 'subscribe' || !tokenOk || typeof challenge !== 'string') {
        deps.logger.warn({ channelId, mode: typeof mode === 'string' ? mode : undefined, tokenMatched: tokenOk }, 'webhook verification refused');
        return { ok: false, status: 403, reason: 'verification refused' };
      }
      return { ok: true, challenge };
    },

    /** `POST /webhooks/whatsapp/{channelId}`: verify, persist, wake the drain. Nothing else happens here. */
    async receive(channelId: string, raw: Buffer, signature: string | undefined, meta: { ip?: string } = {}): Promise<ReceiveResult> {
      const l = await deps.channels.withSecrets(channelId);
      if (!l) return { ok: false, status: 404, reason: 'unknown channel' };
      if (!verifySignature(raw, signature, l.secrets.appSecret)) {
        // Logged without the body: an unsigned payload is not to be trusted, nor stored.
        deps.logger.warn({ channelId, ip: meta.ip, bytes: raw.length, signature: signature ? 'wrong' : 'missing' }, 'webhook refused: bad X-Hub-Signature-256');
        return { ok: false, status: 401, reason: signature ? 'signature does not match' : 'X-Hub-Signature-256 missing' };
      }
      const body = raw.toString('utf8');
      const now = deps.clock.now();
      const taker = local?.reserve() ? local : undefined;
      let inboxId: number;
      try {
        inboxId = await deps.store.insert(channelId, body, now, taker?.claimant);
      } catch (e) {
        taker?.cancel();
        throw e;
      }
      taker?.take({ id: inboxId, channelId, body, attempts: 1, receivedAt: now });
      for (const f of listeners) f();
      return { ok: true, inboxId };
    },

    /** The running drain of this process attaches here to take what this process receives (one at a time: undefined when one already is). */
    attachLocal(d: LocalDrain): (() => void) | undefined {
      if (local) return undefined;
      local = d;
      return () => {
        if (local === d) local = undefined;
      };
    },

    /** The drain of this process subscribes here to start at once instead of at its next poll. */
    onReceived(f: () => void): () => void {
      listeners.push(f);
      return () => {
        const i = listeners.indexOf(f);
        if (i >= 0) listeners.splice(i, 1);
      };
    },
  };
}
export type WebhookService = ReturnType<typeof createWebhookService>;
