/**
 * Posts webhooks the way Meta does (NOTES 3.2–3.3): statuses batched into one POST per target (grouped by
 * WABA into entries and by phone number into changes), each body signed with
 * `X-Hub-Signature-256: sha256=HMAC(app secret, exact bytes)`, non-2xx answers retried with exponential
 * backoff, the same bytes each time. Bodies are ASCII-only with `/` escaped, like Meta's, so a receiver that
 * verifies a re-serialised body fails here as it would in production.
 */
import { createHmac } from 'node:crypto';
import { Pool } from 'undici';
import type { WebhookDeliveryConfig } from '../config/sandbox-config';
import type { Scheduler, TimerHandle } from '../shared/time';

export interface WebhookTarget {
  url: string;
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
}

type Item =
  | { kind: 'status'; target: WebhookTarget; status: object }
  | { kind: 'message'; target: WebhookTarget; contact: object; message: object };

interface Post {
  url: string;
  body: string;
  signature: string;
  items: number;
  attempt: number;
}

export interface WebhookAttempt {
  url: string;
  at: number;
  items: number;
  attempt: number;
  /** HTTP status, or 0 when the connection failed. */
  status: number;
  error?: string;
}

export interface WebhookStats {
  posts: number;
  delivered: number;
  failedAttempts: number;
  dropped: number;
  itemsDelivered: number;
  pendingItems: number;
  inFlight: number;
  recent: WebhookAttempt[];
}

export interface SandboxLogger {
  warn(obj: object, msg: string): void;
}

function escapeLikeMeta(json: string): string {
  return json.replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')).replace(/\//g, '\\/');
}

export function signWebhookBody(body: string, appSecret: string): string {
  return 'sha256=' + createHmac('sha256', appSecret).update(body, 'utf8').digest('hex');
}

export class WebhookDispatcher {
  private readonly batches = new Map<string, Item[]>();
  private readonly flushTimers = new Map<string, TimerHandle>();
  private readonly ready = new Map<string, Post[]>();
  private readonly inFlight = new Map<string, number>();
  private readonly retryTimers = new Set<TimerHandle>();
  private readonly pools = new Map<string, Pool>();
  private readonly idleWaiters: Array<() => void> = [];
  private retryingItems = 0;
  private stats = { posts: 0, delivered: 0, failedAttempts: 0, dropped: 0, itemsDelivered: 0 };
  private recent: WebhookAttempt[] = [];
  private closed = false;

  constructor(
    private readonly deps: {
      now: () => number;
      scheduler: Scheduler;
      config: () => WebhookDeliveryConfig;
      appSecret: () => string;
      logger?: SandboxLogger;
    },
  ) {}

  addStatus(target: WebhookTarget, status: object): void {
    this.add({ kind: 'status', target, status }, false);
  }

  /** Inbound messages go out at once: a tester tapping a button should not wait for a batch to fill. */
  addMessage(target: WebhookTarget, contact: object, message: object): void {
    this.add({ kind: 'message', target, contact, message }, true);
  }

  /** Posts a complete webhook body on its own (template status updates and other non-message fields). */
  postNow(url: string, payload: object, items = 1): void {
    this.enqueuePost(url, this.encode(payload), items);
  }

  private add(item: Item, immediate: boolean): void {
    if (this.closed) return;
    const url = item.target.url;
    let batch = this.batches.get(url);
    if (!batch) {
      batch = [];
      this.batches.set(url, batch);
    }
    batch.push(item);
    const cfg = this.deps.config();
    if (immediate || batch.length >= cfg.batchSize) {
      this.flushBatch(url);
    } else if (!this.flushTimers.has(url)) {
      this.flushTimers.set(url, this.deps.scheduler.setTimeout(() => {
        this.flushTimers.delete(url);
        this.flushBatch(url);
      }, cfg.flushIntervalMs));
    }
  }

  private flushBatch(url: string): void {
    const timer = this.flushTimers.get(url);
    if (timer) {
      this.deps.scheduler.clearTimeout(timer);
      this.flushTimers.delete(url);
    }
    const batch = this.batches.get(url);
    if (!batch || batch.length === 0) return;
    this.batches.delete(url);
    const size = this.deps.config().batchSize;
    for (let i = 0; i < batch.length; i += size) {
      const slice = batch.slice(i, i + size);
      this.enqueuePost(url, this.encode(this.buildBody(slice)), slice.length);
    }
  }

  private buildBody(items: Item[]): object {
    const entries = new Map<string, { id: string; changes: object[] }>();
    const statusValues = new Map<string, { statuses: object[] }>();
    for (const item of items) {
      const t = item.target;
      let entry = entries.get(t.wabaId);
      if (!entry) {
        entry = { id: t.wabaId, changes: [] };
        entries.set(t.wabaId, entry);
      }
      const metadata = { display_phone_number: t.displayPhoneNumber, phone_number_id: t.phoneNumberId };
      if (item.kind === 'message') {
        entry.changes.push({
          value: { messaging_product: 'whatsapp', metadata, contacts: [item.contact], messages: [item.message] },
          field: 'messages',
        });
        continue;
      }
      const key = t.wabaId + ':' + t.phoneNumberId;
      let value = statusValues.get(key);
      if (!value) {
        value = { statuses: [] };
        statusValues.set(key, value);
        entry.changes.push({ value: Object.assign({ messaging_product: 'whatsapp', metadata }, value), field: 'messages' });
      }
      value.statuses.push(item.status);
    }
    return { object: 'whatsapp_business_account', entry: [...entries.values()] };
  }

  private encode(payload: object): string {
    const json = JSON.stringify(payload);
    return this.deps.config().escapeLikeMeta ? escapeLikeMeta(json) : json;
  }

  private enqueuePost(url: string, body: string, items: number): void {
    const post: Post = { url, body, signature: signWebhookBody(body, this.deps.appSecret()), items, attempt: 0 };
    let queue = this.ready.get(url);
    if (!queue) {
      queue = [];
      this.ready.set(url, queue);
    }
    queue.push(post);
    this.pump(url);
  }

  private pump(url: string): void {
    const queue = this.ready.get(url);
    const max = this.deps.config().maxInFlight;
    while (queue && queue.length > 0 && (this.inFlight.get(url) ?? 0) < max && !this.closed) {
      const post = queue.shift()!;
      this.inFlight.set(url, (this.inFlight.get(url) ?? 0) + 1);
      void this.send(post).finally(() => {
        this.inFlight.set(url, (this.inFlight.get(url) ?? 1) - 1);
        this.pump(url);
        this.notifyIdle();
      });
    }
    if (queue && queue.length === 0) this.ready.delete(url);
  }

  private pool(url: URL): Pool {
    let pool = this.pools.get(url.origin);
    if (!pool) {
      const cfg = this.deps.config();
      pool = new Pool(url.origin, { connections: cfg.maxInFlight, headersTimeout: cfg.timeoutMs, bodyTimeout: cfg.timeoutMs });
      this.pools.set(url.origin, pool);
    }
    return pool;
  }

  private async send(post: Post): Promise<void> {
    post.attempt += 1;
    this.stats.posts += 1;
    let status = 0;
    let error: string | undefined;
    try {
      const url = new URL(post.url);
      const res = await this.pool(url).request({
        method: 'POST',
        path: url.pathname + url.search,
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': post.signature,
          'user-agent': 'facebookexternalua',
        },
        body: post.body,
      });
      status = res.statusCode;
      await res.body.dump();
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    this.remember({ url: post.url, at: this.deps.now(), items: post.items, attempt: post.attempt, status, ...(error ? { error } : {}) });
    if (status >= 200 && status < 300) {
      this.stats.delivered += 1;
      this.stats.itemsDelivered += post.items;
      return;
    }
    this.stats.failedAttempts += 1;
    const cfg = this.deps.config();
    if (post.attempt >= cfg.maxAttempts || this.closed) {
      this.stats.dropped += 1;
      this.deps.logger?.warn({ url: post.url, attempts: post.attempt, status, error }, 'webhook dropped after retries');
      return;
    }
    const delay = Math.min(cfg.retryMaxMs, cfg.retryBaseMs * 2 ** (post.attempt - 1));
    this.retryingItems += post.items;
    const timer = this.deps.scheduler.setTimeout(() => {
      this.retryTimers.delete(timer);
      this.retryingItems -= post.items;
      const queue = this.ready.get(post.url) ?? [];
      queue.push(post);
      this.ready.set(post.url, queue);
      this.pump(post.url);
    }, delay);
    this.retryTimers.add(timer);
  }

  private remember(attempt: WebhookAttempt): void {
    this.recent.push(attempt);
    if (this.recent.length > 20) this.recent.shift();
  }

  private busy(): boolean {
    for (const n of this.inFlight.values()) if (n > 0) return true;
    return this.ready.size > 0;
  }

  private notifyIdle(): void {
    if (this.busy()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Posts every partial batch now and resolves once nothing is in flight (scheduled retries excepted). */
  async flush(): Promise<void> {
    for (const url of [...this.batches.keys()]) this.flushBatch(url);
    if (!this.busy()) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  getStats(): WebhookStats {
    let pending = this.retryingItems;
    for (const b of this.batches.values()) pending += b.length;
    for (const q of this.ready.values()) for (const p of q) pending += p.items;
    let inFlight = 0;
    for (const n of this.inFlight.values()) inFlight += n;
    return { ...this.stats, pendingItems: pending, inFlight, recent: [...this.recent] };
  }

  /** Drops everything queued (used by reset); POSTs already on the wire finish. */
  clear(): void {
    for (const t of this.flushTimers.values()) this.deps.scheduler.clearTimeout(t);
    for (const t of this.retryTimers) this.deps.scheduler.clearTimeout(t);
    this.flushTimers.clear();
    this.retryTimers.clear();
    this.batches.clear();
    this.ready.clear();
    this.retryingItems = 0;
    this.stats = { posts: 0, delivered: 0, failedAttempts: 0, dropped: 0, itemsDelivered: 0 };
    this.recent = [];
    this.notifyIdle();
  }

  async close(): Promise<void> {
    this.clear();
    this.closed = true;
    await Promise.all([...this.pools.values()].map((p) => p.close()));
    this.pools.clear();
  }
}
