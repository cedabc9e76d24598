/**
 * What the simulated phones received and sent. Sized for benchmarks of a million messages: every message
 * updates counters, but full payloads are kept only for the most recent N per conversation and M overall
 * (older ones are dropped oldest-first). Duplicate detection keeps a 30-bit hash per (conversation, callback
 * data) and per (conversation, content) instead of the strings; a conversation with a single message holds
 * a bare number, promoted to an array and then a Set as it grows.
 */
import { hash30 } from '../shared/hash';

export type Direction = 'outbound' | 'inbound';
export type DeliveryStatus = 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';
const STATUS_RANK: Record<DeliveryStatus, number> = { accepted: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

export interface LogEntry {
  seq: number;
  wamid: string;
  direction: Direction;
  phoneNumberId: string;
  waId: string;
  /** Outbound: the message type sent. Inbound: the webhook message type (text, button, interactive). */
  type: string;
  at: number;
  /** Outbound: the request body as sent. Inbound: the webhook message object. */
  payload: Record<string, unknown>;
  bizOpaqueCallbackData?: string;
  status?: DeliveryStatus;
  statusAt?: number;
  error?: { code: number; title: string; details: string };
  /** Template category (lower-case) for template sends. */
  category?: string;
  /** Inbound: the wamid answered. Outbound: context.message_id of a quoted reply. */
  contextId?: string;
  /** URL buttons the user opened (no webhook exists for these). */
  clicks?: Array<{ url: string; at: number; index?: number }>;
  evicted?: boolean;
}

type HashSet = number | number[] | Set<number>;

/**
 * One (business number, user) pair. Fields are never deleted (set to undefined instead): deleting turns a V8
 * object into a dictionary several times larger, which at a million conversations is hundreds of megabytes.
 */
export interface Conversation {
  phoneNumberId: string;
  waId: string;
  name: string | undefined;
  /** Global sequence number of the last activity, for newest-first listing. */
  activity: number;
  lastAt: number;
  outbound: number;
  inbound: number;
  /** When the user last wrote (opens the 24-hour window); -1 when never. */
  lastInboundAt: number;
  lastType: string;
  lastDirection: Direction;
  entries: LogEntry[] | undefined;
  opaque: HashSet | undefined;
  content: HashSet | undefined;
  dupOpaque: boolean;
  dupContent: boolean;
  /** Rate-limit state, created only when a limit that needs it is on. */
  limits: { pairTokens: number; pairAt: number; marketing: number[] } | undefined;
}

export interface LogSummary {
  messages: { accepted: number; byType: Record<string, number>; rejectedByCode: Record<string, number> };
  statuses: { sent: number; delivered: number; read: number; failed: number; failedByCode: Record<string, number> };
  inbound: number;
  urlClicks: number;
  conversations: number;
  recipients: number;
  duplicates: {
    callbackData: { recipients: number; messages: number };
    content: { recipients: number; messages: number };
  };
  stored: { messages: number; limit: number; perConversation: number };
}

/** Adds `h`; returns true when it was already there. */
function addHash(set: HashSet | undefined, h: number, assign: (s: HashSet) => void): boolean {
  if (set === undefined) {
    assign(h);
    return false;
  }
  if (typeof set === 'number') {
    if (set === h) return true;
    assign([set, h]);
    return false;
  }
  if (Array.isArray(set)) {
    if (set.includes(h)) return true;
    if (set.length >= 16) assign(new Set([...set, h]));
    else set.push(h);
    return false;
  }
  if (set.has(h)) return true;
  set.add(h);
  return false;
}

export class MessageLog {
  /** By phone-number id, then wa_id: nested maps spare a concatenated key string per conversation. */
  private readonly conversations = new Map<string, Map<string, Conversation>>();
  private conversationCount = 0;
  private readonly byWamid = new Map<string, LogEntry>();
  private fifo: LogEntry[] = [];
  private fifoHead = 0;
  private stored = 0;
  private seq = 0;
  private counters = MessageLog.emptyCounters();

  constructor(private limits: { recentPerConversation: number; maxStoredMessages: number }) {}

  private static emptyCounters() {
    return {
      accepted: 0,
      byType: {} as Record<string, number>,
      rejectedByCode: {} as Record<string, number>,
      statuses: { sent: 0, delivered: 0, read: 0, failed: 0 },
      failedByCode: {} as Record<string, number>,
      inbound: 0,
      urlClicks: 0,
      recipients: 0,
      dupOpaqueRecipients: 0,
      dupOpaqueMessages: 0,
      dupContentRecipients: 0,
      dupContentMessages: 0,
    };
  }

  setLimits(limits: { recentPerConversation: number; maxStoredMessages: number }): void {
    this.limits = limits;
  }

  conversation(phoneNumberId: string, waId: string, create: true): Conversation;
  conversation(phoneNumberId: string, waId: string, create?: false): Conversation | undefined;
  conversation(phoneNumberId: string, waId: string, create = false): Conversation | undefined {
    let byUser = this.conversations.get(phoneNumberId);
    let c = byUser?.get(waId);
    if (!c && create) {
      if (!byUser) {
        byUser = new Map();
        this.conversations.set(phoneNumberId, byUser);
      }
      c = {
        phoneNumberId,
        waId,
        name: undefined,
        activity: 0,
        lastAt: 0,
        outbound: 0,
        inbound: 0,
        lastInboundAt: -1,
        lastType: '',
        lastDirection: 'outbound',
        entries: undefined,
        opaque: undefined,
        content: undefined,
        dupOpaque: false,
        dupContent: false,
        limits: undefined,
      };
      byUser.set(waId, c);
      this.conversationCount += 1;
    }
    return c;
  }

  private *allConversations(phoneNumberId?: string): IterableIterator<Conversation> {
    if (phoneNumberId !== undefined) {
      const byUser = this.conversations.get(phoneNumberId);
      if (byUser) yield* byUser.values();
      return;
    }
    for (const byUser of this.conversations.values()) yield* byUser.values();
  }

  entry(wamid: string): LogEntry | undefined {
    return this.byWamid.get(wamid);
  }

  recordRejected(code: number): void {
    this.counters.rejectedByCode[code] = (this.counters.rejectedByCode[code] ?? 0) + 1;
  }

  /** Logs an accepted outbound message; `contentKey` identifies its content for duplicate counting. */
  recordOutbound(conv: Conversation, entry: LogEntry, contentKey: string): LogEntry {
    const c = this.counters;
    c.accepted += 1;
    c.byType[entry.type] = (c.byType[entry.type] ?? 0) + 1;
    if (conv.outbound === 0) c.recipients += 1;
    conv.outbound += 1;
    if (entry.bizOpaqueCallbackData !== undefined) {
      if (addHash(conv.opaque, hash30(entry.bizOpaqueCallbackData), (s) => (conv.opaque = s))) {
        c.dupOpaqueMessages += 1;
        if (!conv.dupOpaque) {
          conv.dupOpaque = true;
          c.dupOpaqueRecipients += 1;
        }
      }
    }
    if (addHash(conv.content, hash30(contentKey), (s) => (conv.content = s))) {
      c.dupContentMessages += 1;
      if (!conv.dupContent) {
        conv.dupContent = true;
        c.dupContentRecipients += 1;
      }
    }
    return this.store(conv, entry);
  }

  recordInbound(conv: Conversation, entry: LogEntry): LogEntry {
    this.counters.inbound += 1;
    conv.inbound += 1;
    conv.lastInboundAt = entry.at;
    return this.store(conv, entry);
  }

  private store(conv: Conversation, entry: LogEntry): LogEntry {
    this.seq += 1;
    entry.seq = this.seq;
    conv.activity = this.seq;
    conv.lastAt = entry.at;
    conv.lastType = entry.type;
    conv.lastDirection = entry.direction;
    const entries = conv.entries ?? (conv.entries = []);
    entries.push(entry);
    this.byWamid.set(entry.wamid, entry);
    this.fifo.push(entry);
    this.stored += 1;
    if (entries.length > this.limits.recentPerConversation) this.evict(entries.shift()!, conv, false);
    while (this.stored > this.limits.maxStoredMessages && this.fifoHead < this.fifo.length) {
      const oldest = this.fifo[this.fifoHead]!;
      this.fifoHead += 1;
      if (!oldest.evicted) {
        const owner = this.conversation(oldest.phoneNumberId, oldest.waId);
        if (owner) this.evict(oldest, owner, true);
      }
    }
    if (this.fifoHead > 1024 && this.fifoHead * 2 > this.fifo.length) {
      this.fifo = this.fifo.slice(this.fifoHead);
      this.fifoHead = 0;
    }
    return entry;
  }

  private evict(entry: LogEntry, conv: Conversation, removeFromConversation: boolean): void {
    entry.evicted = true;
    this.stored -= 1;
    this.byWamid.delete(entry.wamid);
    if (removeFromConversation && conv.entries) {
      const i = conv.entries.indexOf(entry);
      if (i >= 0) conv.entries.splice(i, 1);
    }
    if (conv.entries && conv.entries.length === 0) conv.entries = undefined;
  }

  /** Moves an outbound message's status forward (never backwards, like a careful receiver would). */
  recordStatus(wamid: string, status: DeliveryStatus, at: number, error?: LogEntry['error']): void {
    this.counters.statuses[status as 'sent'] += 1;
    if (status === 'failed' && error) this.counters.failedByCode[error.code] = (this.counters.failedByCode[error.code] ?? 0) + 1;
    const entry = this.byWamid.get(wamid);
    if (!entry || entry.direction !== 'outbound') return;
    if (entry.status && STATUS_RANK[entry.status] >= STATUS_RANK[status]) return;
    entry.status = status;
    entry.statusAt = at;
    if (error) entry.error = error;
  }

  recordClick(entry: LogEntry, url: string, at: number, index?: number): void {
    this.counters.urlClicks += 1;
    (entry.clicks ??= []).push(index === undefined ? { url, at } : { url, at, index });
  }

  /** Conversations newest first; `before` is the `activity` cursor of the previous page's last item. */
  listConversations(filter: { phoneNumberId?: string }, limit: number, before?: number): Conversation[] {
    const page: Conversation[] = [];
    for (const c of this.allConversations(filter.phoneNumberId)) {
      if (before !== undefined && c.activity >= before) continue;
      if (page.length === limit && c.activity <= page[page.length - 1]!.activity) continue;
      let i = page.length;
      while (i > 0 && page[i - 1]!.activity < c.activity) i -= 1;
      page.splice(i, 0, c);
      if (page.length > limit) page.pop();
    }
    return page;
  }

  /** Stored entries, oldest first, optionally for one conversation. */
  entries(filter: { phoneNumberId?: string; waId?: string } = {}, limit = 1000): LogEntry[] {
    if (filter.waId !== undefined) {
      const out: LogEntry[] = [];
      for (const byUser of this.conversations.values()) {
        const c = byUser.get(filter.waId);
        if (c && (!filter.phoneNumberId || c.phoneNumberId === filter.phoneNumberId)) out.push(...(c.entries ?? []));
      }
      return out.sort((a, b) => a.seq - b.seq).slice(-limit);
    }
    const out: LogEntry[] = [];
    for (let i = this.fifo.length - 1; i >= this.fifoHead && out.length < limit; i--) {
      const e = this.fifo[i]!;
      if (!e.evicted && (!filter.phoneNumberId || e.phoneNumberId === filter.phoneNumberId)) out.push(e);
    }
    return out.reverse();
  }

  summary(): LogSummary {
    const c = this.counters;
    return {
      messages: { accepted: c.accepted, byType: { ...c.byType }, rejectedByCode: { ...c.rejectedByCode } },
      statuses: { ...c.statuses, failedByCode: { ...c.failedByCode } },
      inbound: c.inbound,
      urlClicks: c.urlClicks,
      conversations: this.conversationCount,
      recipients: c.recipients,
      duplicates: {
        callbackData: { recipients: c.dupOpaqueRecipients, messages: c.dupOpaqueMessages },
        content: { recipients: c.dupContentRecipients, messages: c.dupContentMessages },
      },
      stored: { messages: this.stored, limit: this.limits.maxStoredMessages, perConversation: this.limits.recentPerConversation },
    };
  }

  /**
   * Starts a new measurement (e.g. one benchmark run): messages, counters and duplicate memory go, but the
   * conversations stay with their names and open windows, so the next run behaves like the next day's send.
   */
  clearMessages(): void {
    for (const c of this.allConversations()) {
      c.entries = undefined;
      c.opaque = undefined;
      c.content = undefined;
      c.dupOpaque = false;
      c.dupContent = false;
      c.outbound = 0;
      c.inbound = 0;
    }
    this.byWamid.clear();
    this.fifo = [];
    this.fifoHead = 0;
    this.stored = 0;
    this.counters = MessageLog.emptyCounters();
  }

  /** Forgets every message and conversation (window state included). */
  clear(): void {
    this.conversations.clear();
    this.conversationCount = 0;
    this.byWamid.clear();
    this.fifo = [];
    this.fifoHead = 0;
    this.stored = 0;
    this.counters = MessageLog.emptyCounters();
  }
}
