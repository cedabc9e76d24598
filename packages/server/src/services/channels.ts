import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { SecretBox } from '../adapters/crypto';
import type { ChannelStore, StoredChannel } from '../adapters/storage/channel-store';
import type { CloudApiClient, GraphFailure, SendContext } from '../adapters/whatsapp/cloud-api-client';
import type { AuditLog } from './audit';
import type { ChannelView, CreateChannelInput, MessagingTier, UpdateChannelInput } from './channels-schema';
import { AppError, notFound, validationError } from './errors';
import { systemActor, type Actor, type Clock, type IdSource } from './ports';

/** What the engine needs to send from one phone number of a channel. The token is decrypted: never log it. */
export interface ChannelSendContext extends SendContext {
  channelId: string;
  throughput: number;
  tier: MessagingTier | string;
  status: 'active' | 'paused';
  pausedReason: string | null;
}

export interface ChannelSecrets {
  accessToken: string;
  appSecret: string;
  verifyToken: string;
}

type SecretField = keyof ChannelSecrets;
const COLUMN: Record<SecretField, 'access_token_enc' | 'app_secret_enc' | 'verify_token_enc'> = {
  accessToken: 'access_token_enc',
  appSecret: 'app_secret_enc',
  verifyToken: 'verify_token_enc',
};
// The AAD binds each sealed value to its channel and field, so a value copied to another row won't open.
const aad = (id: string, field: SecretField) => `whatsapp_channel:${id}:${field}`;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** How long a decrypted channel stays cached in this process: a pause or edit made by another process shows within it. */
const CACHE_MS = 5_000;

export function toChannelView(ch: StoredChannel): ChannelView {
  return {
    id: ch.id,
    name: ch.name,
    wabaId: ch.waba_id,
    phoneNumbers: ch.phoneNumbers.map((p) => ({ phoneNumberId: p.phone_number_id, displayNumber: p.display_number, throughput: p.throughput, tier: p.tier })),
    baseUrl: ch.base_url,
    apiVersion: ch.api_version,
    status: ch.status === 'paused' ? 'paused' : 'active',
    pausedReason: ch.paused_reason,
    pausedAt: iso(ch.paused_at),
    sandbox: ch.sandbox === 1,
    hasAccessToken: ch.access_token_enc !== '',
    hasAppSecret: ch.app_secret_enc !== '',
    hasVerifyToken: ch.verify_token_enc !== '',
    webhookPath: `/webhooks/whatsapp/${ch.id}`,
    createdAt: new Date(ch.created_at).toISOString(),
    updatedAt: new Date(ch.updated_at).toISOString(),
  };
}

/**
 * WhatsApp channels: create, edit, list, check, pause. Secrets are sealed before they reach storage
 * (AES-256-GCM, adapters/crypto.ts), never returned (`hasAccessToken` etc.), never logged, and audit
 * entries name the secret fields that changed, never their values.
 */
export function createChannelService(deps: {
  store: ChannelStore;
  box: SecretBox;
  audit: AuditLog;
  clock: Clock;
  ids: IdSource;
  client: CloudApiClient;
  logger: Logger;
}) {
  const { store, box, audit, clock, ids } = deps;
  const cache = new Map<string, { at: number; channel: StoredChannel; secrets: ChannelSecrets }>();

  const seal = (id: string, field: SecretField, value: string) => box.seal(value, aad(id, field));

  async function load(id: string): Promise<{ channel: StoredChannel; secrets: ChannelSecrets } | undefined> {
    const hit = cache.get(id);
    const now = clock.now();
    if (hit && now - hit.at < CACHE_MS) return hit;
    const channel = await store.get(id);
    if (!channel) {
      cache.delete(id);
      return undefined;
    }
    const secrets = {
      accessToken: box.open(channel.access_token_enc, aad(id, 'accessToken')),
      appSecret: box.open(channel.app_secret_enc, aad(id, 'appSecret')),
      verifyToken: box.open(channel.verify_token_enc, aad(id, 'verifyToken')),
    };
    const entry = { at: now, channel, secrets };
    cache.set(id, entry);
    return entry;
  }

  async function mustGet(id: string): Promise<StoredChannel> {
    const ch = await store.get(id);
    if (!ch) throw notFound('channel', id);
    return ch;
  }

  const phoneRows = (list: CreateChannelInput['phoneNumbers']) =>
    list.map((p) => ({ phone_number_id: p.phoneNumberId, display_number: p.displayNumber, throughput: p.throughput, tier: p.tier }));

  async function create(actor: Actor, input: CreateChannelInput, opts: { sandbox?: boolean } = {}): Promise<ChannelView> {
    const id = ids.next();
    const now = clock.now();
    const verifyToken = input.verifyToken ?? randomBytes(24).toString('base64url');
    await store.insert(
      {
        id,
        name: input.name,
        waba_id: input.wabaId,
        access_token_enc: seal(id, 'accessToken', input.accessToken),
        app_secret_enc: seal(id, 'appSecret', input.appSecret),
        verify_token_enc: seal(id, 'verifyToken', verifyToken),
        base_url: input.baseUrl,
        api_version: input.apiVersion,
        status: 'active',
        paused_reason: null,
        paused_at: null,
        sandbox: opts.sandbox ? 1 : 0,
        created_at: now,
        updated_at: now,
      },
      phoneRows(input.phoneNumbers),
    );
    await audit.record(actor, {
      action: 'channel.create',
      entityType: 'channel',
      entityId: id,
      details: { name: input.name, wabaId: input.wabaId, phoneNumberIds: input.phoneNumbers.map((p) => p.phoneNumberId), baseUrl: input.baseUrl, apiVersion: input.apiVersion, sandbox: !!opts.sandbox },
    });
    return toChannelView(await mustGet(id));
  }

  async function update(actor: Actor, id: string, input: UpdateChannelInput): Promise<ChannelView> {
    const before = await mustGet(id);
    const now = clock.now();
    const patch: Parameters<ChannelStore['update']>[1] = {};
    const changed: string[] = [];
    if (input.name !== undefined && input.name !== before.name) { patch.name = input.name; changed.push('name'); }
    if (input.wabaId !== undefined && input.wabaId !== before.waba_id) { patch.waba_id = input.wabaId; changed.push('wabaId'); }
    if (input.baseUrl !== undefined && input.baseUrl !== before.base_url) { patch.base_url = input.baseUrl; changed.push('baseUrl'); }
    if (input.apiVersion !== undefined && input.apiVersion !== before.api_version) { patch.api_version = input.apiVersion; changed.push('apiVersion'); }
    for (const f of ['accessToken', 'appSecret', 'verifyToken'] as const) {
      const v = input[f];
      if (v !== undefined) { patch[COLUMN[f]] = seal(id, f, v); changed.push(f); }
    }
    if (input.status === 'paused' && (before.status !== 'paused' || input.pausedReason !== before.paused_reason)) {
      Object.assign(patch, { status: 'paused', paused_reason: input.pausedReason ?? null, paused_at: now });
      changed.push('status');
    } else if (input.status === 'active' && before.status !== 'active') {
      Object.assign(patch, { status: 'active', paused_reason: null, paused_at: null });
      changed.push('status');
    }
    if (input.phoneNumbers) changed.push('phoneNumbers');
    if (!changed.length) return toChannelView(before);
    patch.updated_at = now;
    await store.update(id, patch, input.phoneNumbers ? phoneRows(input.phoneNumbers) : undefined);
    cache.delete(id);
    await audit.record(actor, {
      action: 'channel.update',
      entityType: 'channel',
      entityId: id,
      details: {
        changed,
        ...(input.status ? { status: input.status, pausedReason: input.pausedReason ?? null } : {}),
        ...(input.phoneNumbers ? { phoneNumberIds: input.phoneNumbers.map((p) => p.phoneNumberId) } : {}),
      },
    });
    return toChannelView(await mustGet(id));
  }

  async function pauseChannel(channelId: string, reason: string, actor: Actor = systemActor): Promise<boolean> {
    const paused = await store.pause(channelId, reason, clock.now());
    cache.delete(channelId);
    if (paused) {
      deps.logger.warn({ channelId, reason }, 'WhatsApp channel paused');
      await audit.record(actor, { action: 'channel.pause', entityType: 'channel', entityId: channelId, details: { reason } });
    }
    return paused;
  }

  return {
    create,
    update,
    pauseChannel,
    async list(): Promise<ChannelView[]> {
      return (await store.list()).map(toChannelView);
    },
    async get(id: string): Promise<ChannelView> {
      return toChannelView(await mustGet(id));
    },

    /** The decrypted send context of one phone number, for the engine and test sends. */
    async getSendContext(channelId: string, phoneNumberId: string): Promise<ChannelSendContext> {
      const l = await load(channelId);
      if (!l) throw notFound('channel', channelId);
      const phone = l.channel.phoneNumbers.find((p) => p.phone_number_id === phoneNumberId);
      if (!phone) throw validationError([{ path: 'phoneNumberId', message: `${phoneNumberId} is not a phone number of channel ${channelId}` }]);
      return {
        channelId,
        baseUrl: l.channel.base_url,
        version: l.channel.api_version,
        accessToken: l.secrets.accessToken,
        phoneNumberId,
        throughput: phone.throughput,
        tier: phone.tier,
        status: l.channel.status === 'paused' ? 'paused' : 'active',
        pausedReason: l.channel.paused_reason,
      };
    },

    /** The channel row with its secrets in clear, for webhooks and the sandbox wiring; undefined when unknown. */
    async withSecrets(channelId: string): Promise<{ channel: StoredChannel; secrets: ChannelSecrets } | undefined> {
      return load(channelId);
    },

    /** "Check connection": reads every phone number through the Graph API with the channel's token. */
    async check(id: string) {
      const l = await load(id);
      if (!l) throw notFound('channel', id);
      const target = { baseUrl: l.channel.base_url, version: l.channel.api_version, accessToken: l.secrets.accessToken };
      const phoneNumbers = await Promise.all(
        l.channel.phoneNumbers.map(async (p) => {
          const r = await deps.client.getPhoneNumber(target, p.phone_number_id);
          if (!r.ok) {
            return { phoneNumberId: p.phone_number_id, ok: false as const, error: { code: r.error.code, title: r.error.title, message: r.error.message, kind: r.error.classification.kind } };
          }
          return {
            phoneNumberId: p.phone_number_id,
            ok: true as const,
            displayPhoneNumber: r.value.display_phone_number ?? null,
            verifiedName: r.value.verified_name ?? null,
            qualityRating: r.value.quality_rating ?? null,
            throughputLevel: r.value.throughput?.level ?? null,
            messagingLimit: r.value.whatsapp_business_manager_messaging_limit ?? null,
          };
        }),
      );
      return { ok: phoneNumbers.every((p) => p.ok), checkedAt: new Date(clock.now()).toISOString(), phoneNumbers };
    },

    findSandbox: () => store.findSandbox(),
    /** Forget cached secrets (after an edit made outside this service). */
    invalidate(id: string) {
      cache.delete(id);
    },
  };
}
export type ChannelService = ReturnType<typeof createChannelService>;

/** A Graph failure on a management call (sync, create) as the error the API answers with. */
export function graphAppError(action: string, f: GraphFailure): AppError {
  const what = `${action}: WhatsApp answered ${f.code !== null ? `(#${f.code}) ` : ''}${f.title}${f.message && f.message !== f.title ? ` — ${f.message}` : ''}`;
  if (f.classification.retryable) return new AppError('unavailable', what, [], 'graph_unavailable');
  if (f.classification.kind === 'token') return new AppError('invalid_state', `${what}. The channel's access token is not valid: update it.`, [], 'graph_token');
  return new AppError('validation', what, [{ path: '(graph)', message: f.message }], 'graph_refused');
}
