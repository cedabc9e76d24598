/**
 * createSandbox: the WhatsApp Cloud API emulator as an in-memory object. The HTTP plugin is a thin layer over
 * it, and tests may call it directly. Time, timers and randomness are injected (`now`, `scheduler`, `seed`),
 * so a test can replay faults and step through webhook delays without sleeping.
 */
import { request } from 'undici';
import {
  applyConfigPatch,
  defaultSandboxConfig,
  type SandboxConfig,
  type SandboxConfigPatch,
} from './config/sandbox-config';
import { buildAccounts } from './core/accounts';
import { deleteObject, downloadMedia, getObject, listPhoneNumbers, uploadMedia, type UploadInput } from './core/graph-objects';
import type { GraphReply, SandboxContext, StatusEvent } from './core/sandbox-context';
import { advanceStatus, sendMessage, type SendInput } from './core/send-message';
import { changeTemplateStatus, createTemplate, deleteTemplates, listTemplates, preloadTemplates } from './core/template-service';
import { errorTitle } from './graph/graph-error';
import { digitsOf } from './graph/recipient-number';
import { defaultProfileName, performInboxAction, receiveInbound, type InboxAction, type InboxActionResult } from './inbox/inbox-actions';
import { MessageLog, type Conversation, type LogEntry, type LogSummary } from './log/message-log';
import { MediaStore, type StoredMedia } from './media/media-store';
import { renderEntry, type RenderModel } from './render/render-message';
import { createIdSource } from './shared/ids';
import { createRandom } from './shared/random';
import { createSystemScheduler, systemClock, type Clock, type Scheduler } from './shared/time';
import type { Template, TemplateStatus } from './templates/template-model';
import { TemplateStore } from './templates/template-store';
import { TimedQueue } from './webhooks/timed-queue';
import { WebhookDispatcher, type SandboxLogger, type WebhookStats } from './webhooks/webhook-dispatcher';
import { statusObject } from './webhooks/webhook-payloads';

export interface SandboxOptions extends SandboxConfigPatch {
  /** Seed for every random decision (fault ratios, read ratio, latency jitter). Default 1. */
  seed?: number;
  now?: Clock;
  scheduler?: Scheduler;
  logger?: SandboxLogger;
}

export interface ConversationSummary {
  phoneNumberId: string;
  waId: string;
  name: string;
  lastAt: string;
  /** `wamid` and `preview` only while the message is still stored in the log. */
  lastMessage: { wamid?: string; direction: string; type: string; preview?: string };
  outbound: number;
  inbound: number;
  windowOpen: boolean;
  /** Pass as `cursor` for the next page. */
  cursor: number;
}

export interface ConversationMessage {
  wamid: string;
  direction: string;
  type: string;
  at: string;
  status?: string;
  statusAt?: string;
  error?: LogEntry['error'];
  bizOpaqueCallbackData?: string;
  contextId?: string;
  clicks?: LogEntry['clicks'];
  payload: Record<string, unknown>;
  render: RenderModel;
}

export interface ConversationView extends Omit<ConversationSummary, 'cursor'> {
  windowExpiresAt: string | null;
  messages: ConversationMessage[];
}

export interface Sandbox {
  readonly now: Clock;
  getConfig(): SandboxConfig;
  /** Deep-merges a patch into the configuration (arrays replace, null removes); invalid patches change nothing. */
  updateConfig(patch: unknown): { ok: true; value: SandboxConfig } | { ok: false; errors: Array<{ path: string; message: string }> };

  /** Synchronous unless latency is configured (saves a promise per request on the hot path). */
  sendMessage(input: SendInput): GraphReply | Promise<GraphReply>;
  uploadMedia(input: UploadInput): GraphReply;
  getObject(input: { id: string; token: string | undefined; fields: string | undefined; baseUrl: string }): GraphReply;
  deleteObject(input: { id: string; token: string | undefined }): GraphReply;
  listPhoneNumbers(input: { wabaId: string; token: string | undefined; fields: string | undefined }): GraphReply;
  listTemplates(input: { wabaId: string; token: string | undefined; query: Record<string, string | undefined>; selfUrl: URL }): GraphReply;
  createTemplate(input: { wabaId: string; token: string | undefined; body: unknown }): GraphReply;
  deleteTemplates(input: { wabaId: string; token: string | undefined; name: string | undefined; hsmId: string | undefined }): GraphReply;
  downloadMedia(input: { id: string; token: string | undefined; ext: string | undefined }): { status: number; body: unknown; mimeType?: string };

  listConversations(q: { phoneNumberId?: string; limit?: number; cursor?: number }): { data: ConversationSummary[]; paging: { nextCursor?: number } };
  getConversation(phoneNumberId: string, waId: string): ConversationView | undefined;
  act(phoneNumberId: string, waId: string, action: InboxAction): InboxActionResult;
  /** The user writes a text (inbound webhook, opens the window). */
  receiveText(phoneNumberId: string, waId: string, body: string, opts?: { replyTo?: string; profileName?: string }): { wamid: string };
  /** Opens the user's 24-hour window without a webhook (test setup). */
  openWindow(phoneNumberId: string, waId: string): void;
  templates(wabaId: string): Array<Template & { review_note?: string }>;
  /** Moves a template to another status (e.g. PAUSED, DISABLED) and sends the status-update webhook. */
  setTemplateStatus(templateId: string, status: TemplateStatus): boolean;
  media(id: string): StoredMedia | undefined;

  summary(): LogSummary & { webhooks: Omit<WebhookStats, 'recent'>; pendingStatuses: number };
  logEntries(filter?: { phoneNumberId?: string; waId?: string }, limit?: number): LogEntry[];
  /** Starts a new measurement: messages and counters go, conversations and windows stay. */
  clearLog(): void;

  /** Releases status webhooks already due, posts partial batches, and waits for POSTs in flight. */
  flushWebhooks(): Promise<void>;
  webhookStats(): WebhookStats;
  /** Meta's verification handshake (NOTES 3.1) against a receiver. */
  verifyWebhook(url: string, verifyToken: string): Promise<{ ok: boolean; status: number; echoed: boolean }>;

  /** Back to the initial options: messages, media, templates, windows, limits and queued webhooks cleared. */
  reset(): void;
  close(): Promise<void>;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const { seed = 1, now = systemClock, scheduler = createSystemScheduler(), logger, ...patch } = options;
  const initial = applyConfigPatch(defaultSandboxConfig(), patch);
  if (!initial.ok) throw new Error(`invalid sandbox options: ${initial.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  const random = createRandom(seed);
  const setsOf = (c: SandboxConfig) => ({
    unreachable: new Set(c.faults.unreachable.numbers.map(digitsOf)),
    marketingBlocked: new Set(c.faults.marketingLimit.recipients.map(digitsOf)),
  });

  const ctx = {
    config: initial.value,
    accounts: buildAccounts(initial.value),
    ...setsOf(initial.value),
    now,
    scheduler,
    random,
    ids: createIdSource(now(), seed, random),
    log: new MessageLog(initial.value.log),
    templates: new TemplateStore(),
    templateNotes: new Map<string, string>(),
    media: new MediaStore(),
    throughput: new Map(),
  } as Omit<SandboxContext, 'dispatcher' | 'statuses'> as SandboxContext;
  ctx.dispatcher = new WebhookDispatcher({
    now,
    scheduler,
    config: () => ctx.config.webhookDelivery,
    appSecret: () => ctx.config.appSecret,
    ...(logger ? { logger } : {}),
  });
  ctx.statuses = new TimedQueue<StatusEvent>(now, scheduler, (ev) => {
    const at = now();
    ctx.log.recordStatus(ev.wamid, ev.stage, at, ev.error ? { code: ev.error.code, title: errorTitle(ev.error.code), details: ev.error.details } : undefined);
    const target = ctx.accounts.webhookTarget(ev.phoneNumberId);
    if (target) {
      ctx.dispatcher.addStatus(target, statusObject({
        wamid: ev.wamid,
        status: ev.stage,
        at,
        recipientId: ev.recipientId,
        bizOpaque: ev.bizOpaque,
        category: ev.category,
        free: ev.free,
        graphVersion: ev.graphVersion,
        error: ev.error,
        conversationId: 'c' + ev.seq.toString(16).padStart(31, '0'),
        windowEndsAt: ev.acceptedAt + 24 * 3600_000,
      }));
    }
    advanceStatus(ctx, ev);
  });
  preloadTemplates(ctx);

  const apply = (next: SandboxConfig): void => {
    ctx.config = next;
    ctx.accounts = buildAccounts(next);
    Object.assign(ctx, setsOf(next));
    ctx.log.setLimits(next.log);
    preloadTemplates(ctx);
  };

  const windowOpen = (c: Conversation): boolean => c.lastInboundAt >= 0 && now() - c.lastInboundAt < ctx.config.faults.windowMs;
  const findTemplate = (phoneNumberId: string) => (name: string, language: string) => {
    const waba = ctx.accounts.phone(phoneNumberId)?.waba.id;
    return waba ? ctx.templates.find(waba, name, language) : undefined;
  };
  const summarise = (c: Conversation): ConversationSummary => {
    const last = c.entries?.[c.entries.length - 1];
    const current = last && last.seq === c.activity ? last : undefined;
    const preview = current ? renderEntry(current, findTemplate(c.phoneNumberId)).preview : undefined;
    return {
      phoneNumberId: c.phoneNumberId,
      waId: c.waId,
      name: c.name ?? defaultProfileName(c.waId),
      lastAt: iso(c.lastAt),
      lastMessage: {
        direction: c.lastDirection,
        type: c.lastType,
        ...(current ? { wamid: current.wamid } : {}),
        ...(preview !== undefined ? { preview } : {}),
      },
      outbound: c.outbound,
      inbound: c.inbound,
      windowOpen: windowOpen(c),
      cursor: c.activity,
    };
  };

  return {
    now,
    getConfig: () => structuredClone(ctx.config),
    updateConfig(p) {
      const r = applyConfigPatch(ctx.config, p);
      if (r.ok) apply(r.value);
      return r.ok ? { ok: true, value: structuredClone(r.value) } : r;
    },

    sendMessage: (input) => sendMessage(ctx, input),
    uploadMedia: (input) => uploadMedia(ctx, input),
    getObject: (input) => getObject(ctx, input),
    deleteObject: (input) => deleteObject(ctx, input),
    listPhoneNumbers: (input) => listPhoneNumbers(ctx, input),
    listTemplates: (input) => listTemplates(ctx, input),
    createTemplate: (input) => createTemplate(ctx, input),
    deleteTemplates: (input) => deleteTemplates(ctx, input),
    downloadMedia: (input) => downloadMedia(ctx, input),

    listConversations(q) {
      const limit = Math.min(200, Math.max(1, q.limit ?? 20));
      const page = ctx.log.listConversations(q.phoneNumberId ? { phoneNumberId: q.phoneNumberId } : {}, limit + 1, q.cursor);
      const data = page.slice(0, limit).map(summarise);
      const last = data[data.length - 1];
      return { data, paging: page.length > limit && last ? { nextCursor: last.cursor } : {} };
    },
    getConversation(phoneNumberId, waId) {
      const c = ctx.log.conversation(phoneNumberId, waId);
      if (!c) return undefined;
      const { cursor: _cursor, ...summary } = summarise(c);
      const find = findTemplate(phoneNumberId);
      return {
        ...summary,
        windowExpiresAt: c.lastInboundAt >= 0 ? iso(c.lastInboundAt + ctx.config.faults.windowMs) : null,
        messages: (c.entries ?? []).map((e) => ({
          wamid: e.wamid,
          direction: e.direction,
          type: e.type,
          at: iso(e.at),
          ...(e.status ? { status: e.status } : {}),
          ...(e.statusAt !== undefined ? { statusAt: iso(e.statusAt) } : {}),
          ...(e.error ? { error: e.error } : {}),
          ...(e.bizOpaqueCallbackData !== undefined ? { bizOpaqueCallbackData: e.bizOpaqueCallbackData } : {}),
          ...(e.contextId !== undefined ? { contextId: e.contextId } : {}),
          ...(e.clicks ? { clicks: e.clicks } : {}),
          payload: e.payload,
          render: renderEntry(e, find),
        })),
      };
    },
    act: (phoneNumberId, waId, action) => performInboxAction(ctx, phoneNumberId, waId, action),
    receiveText(phoneNumberId, waId, body, opts = {}) {
      return receiveInbound(ctx, phoneNumberId, digitsOf(waId), { type: 'text', body }, opts.replyTo, opts.profileName);
    },
    openWindow(phoneNumberId, waId) {
      ctx.log.conversation(phoneNumberId, digitsOf(waId), true).lastInboundAt = now();
    },
    templates(wabaId) {
      return ctx.templates.list(wabaId, {}, 100_000, {}).items.map((t) => {
        const note = ctx.templateNotes.get(t.id);
        return note ? { ...t, review_note: note } : { ...t };
      });
    },
    setTemplateStatus: (templateId, status) => changeTemplateStatus(ctx, templateId, status),
    media: (id) => ctx.media.get(id),

    summary() {
      const { recent: _recent, ...webhooks } = ctx.dispatcher.getStats();
      return { ...ctx.log.summary(), webhooks, pendingStatuses: ctx.statuses.size };
    },
    logEntries: (filter = {}, limit = 1000) => ctx.log.entries(filter, limit),
    clearLog: () => ctx.log.clearMessages(),

    async flushWebhooks() {
      ctx.statuses.drainDue();
      await ctx.dispatcher.flush();
    },
    webhookStats: () => ctx.dispatcher.getStats(),
    async verifyWebhook(url, verifyToken) {
      const challenge = String(1_000_000_000 + random.int(1_000_000_000));
      const u = new URL(url);
      u.searchParams.set('hub.mode', 'subscribe');
      u.searchParams.set('hub.challenge', challenge);
      u.searchParams.set('hub.verify_token', verifyToken);
      try {
        const res = await request(u, { method: 'GET' });
        const text = await res.body.text();
        return { ok: res.statusCode === 200 && text === challenge, status: res.statusCode, echoed: text === challenge };
      } catch {
        return { ok: false, status: 0, echoed: false };
      }
    },

    reset() {
      ctx.statuses.clear();
      ctx.dispatcher.clear();
      ctx.log.clear();
      ctx.media.clear();
      ctx.templates.clear();
      ctx.templateNotes.clear();
      ctx.throughput.clear();
      apply(initial.value);
    },
    async close() {
      ctx.statuses.clear();
      await ctx.dispatcher.close();
    },
  };
}
