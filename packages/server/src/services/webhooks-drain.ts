import { waIdToPhone, type EventIngest } from '@wareach/core';
import type { Logger } from 'pino';
import type { ProfileStore } from '../adapters/storage/profile-store';
import type { InboxRow, WebhookStore } from '../adapters/storage/webhook-store';
import type { CustomerDataService } from './customer-data';
import type { Clock } from './ports';
import type { TemplateService } from './templates';
import type { WebhookInbound, WebhookSink, WebhookStatus } from './webhook-sinks';
import type { WebhookService } from './webhooks';
import { parseWebhookPayload, type ParsedInbound, type TemplateStatusUpdate } from './webhooks-parse';

export const INBOUND_EVENT = 'whatsapp.inbound';

export interface DrainOptions {
  /** Inbox rows claimed at once (default 100). */
  batchSize?: number;
  /** A claim older than this is taken over: its process is presumed dead (default 60 s). */
  leaseMs?: number;
  /** Idle poll interval, for rows posted to other processes (default 250 ms). */
  pollMs?: number;
  /** After a batch that emptied the inbox (or after waking from idle), wait this long so the POSTs arriving meanwhile are claimed as one batch (default 5 ms). */
  gatherMs?: number;
  /** Attempts before a row is marked failed (default 5). */
  maxAttempts?: number;
  /** First retry delay, doubled per attempt (default 2 s). */
  retryBaseMs?: number;
  /** Processed payloads are kept this long (default 7 days). */
  keepDoneMs?: number;
  /** Name of this process's claims. */
  claimant?: string;
  /**
   * Payloads of this process's receive path held in memory at most (default 4 × batchSize): past it they
   * are stored pending. Keep it small enough to be processed well within leaseMs.
   */
  maxLocal?: number;
}

export interface DrainDeps {
  store: WebhookStore;
  sinks: WebhookSink[];
  customerData: CustomerDataService;
  profiles: ProfileStore;
  templates: TemplateService;
  webhooks: WebhookService;
  clock: Clock;
  logger: Logger;
}

/**
 * Processes the webhook inbox in order of arrival: claims rows (conditional UPDATE, so several processes
 * can share the table), parses every entry/change/status/message, records inbound messages as events of
 * their user and as 24-hour service windows, applies template status changes, and hands all statuses and
 * inbound messages to every sink. A batch that fails is retried row by row, so one bad payload holds up
 * only itself; a row that keeps failing is marked `failed` with the error, never dropped.
 */
export function createWebhookDrain(deps: DrainDeps, opts: DrainOptions = {}) {
  const batchSize = opts.batchSize ?? 100;
  const leaseMs = opts.leaseMs ?? 60_000;
  const pollMs = opts.pollMs ?? 250;
  const gatherMs = opts.gatherMs ?? 5;
  const maxAttempts = opts.maxAttempts ?? 5;
  const retryBaseMs = opts.retryBaseMs ?? 2_000;
  const keepDoneMs = opts.keepDoneMs ?? 7 * 24 * 3600_000;
  const claimant = opts.claimant ?? `drain-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const maxLocal = opts.maxLocal ?? 4 * batchSize;
  const log = deps.logger;

  async function toInbound(channelId: string, list: ParsedInbound[]): Promise<WebhookInbound[]> {
    const events: EventIngest[] = list.map((m) => ({
      userId: undefined,
      identity: { type: 'whatsapp', value: waIdToPhone(m.fromWaId) },
      name: INBOUND_EVENT,
      at: m.at,
      // Idempotent on the wamid: a re-posted or retried payload does not record the message twice.
      messageId: `${INBOUND_EVENT}:${m.wamid}`,
      properties: {
        type: m.type,
        wamid: m.wamid,
        phoneNumberId: m.phoneNumberId,
        channelId,
        ...(m.text !== undefined ? { text: m.text } : {}),
        ...(m.buttonId !== undefined ? { buttonId: m.buttonId } : {}),
        ...(m.buttonTitle !== undefined ? { buttonTitle: m.buttonTitle } : {}),
        ...(m.listRowId !== undefined ? { listRowId: m.listRowId } : {}),
        ...(m.listRowTitle !== undefined ? { listRowTitle: m.listRowTitle } : {}),
        ...(m.contextWamid !== undefined ? { contextWamid: m.contextWamid } : {}),
        ...(m.mediaId !== undefined ? { mediaId: m.mediaId } : {}),
        ...(m.mimeType !== undefined ? { mimeType: m.mimeType } : {}),
        ...(m.filename !== undefined ? { filename: m.filename } : {}),
      },
    }));
    const written = await deps.customerData.writeEvents(events);
    const owner = new Map<string, string>();
    for (const e of written.events) {
      const wamid = e.properties.wamid;
      if (typeof wamid === 'string') owner.set(wamid, e.profileId);
    }
    const byPhone = new Map<string, string>();
    const out: WebhookInbound[] = [];
    for (const m of list) {
      const phone = waIdToPhone(m.fromWaId);
      let profileId = owner.get(m.wamid) ?? byPhone.get(phone);
      profileId ??= await deps.profiles.findIdByIdentity('whatsapp', phone);
      if (!profileId) throw new Error(`no profile for ${phone} after writing its event`);
      byPhone.set(phone, profileId);
      out.push({
        channelId,
        phoneNumberId: m.phoneNumberId,
        wamid: m.wamid,
        fromWaId: m.fromWaId,
        profileId,
        at: m.at,
        type: m.type,
        ...(m.text !== undefined ? { text: m.text } : {}),
        ...(m.buttonId !== undefined ? { buttonId: m.buttonId } : {}),
        ...(m.buttonTitle !== undefined ? { buttonTitle: m.buttonTitle } : {}),
        ...(m.listRowId !== undefined ? { listRowId: m.listRowId } : {}),
        ...(m.listRowTitle !== undefined ? { listRowTitle: m.listRowTitle } : {}),
        ...(m.contextWamid !== undefined ? { contextWamid: m.contextWamid } : {}),
      });
    }
    await deps.store.recordInbound(list.map((m) => ({ phone: waIdToPhone(m.fromWaId), at: m.at })));
    return out;
  }

  async function processRows(rows: InboxRow[]): Promise<void> {
    const statuses: WebhookStatus[] = [];
    const inbound: WebhookInbound[] = [];
    const templateUpdates: (TemplateStatusUpdate & { channelId: string })[] = [];
    for (const row of rows) {
      let payload: unknown;
      try {
        payload = JSON.parse(row.body);
      } catch {
        // Signed but not JSON: keeping it as failed lets an operator look; retrying cannot help.
        throw new UnparseableRow(row.id);
      }
      const p = parseWebhookPayload(row.channelId, payload, row.receivedAt);
      statuses.push(...p.statuses);
      if (p.inbound.length) inbound.push(...(await toInbound(row.channelId, p.inbound)));
      templateUpdates.push(...p.templateUpdates.map((u) => ({ ...u, channelId: row.channelId })));
      for (const e of p.errors) log.warn({ channelId: row.channelId, phoneNumberId: e.phoneNumberId, code: e.code, title: e.title }, 'WhatsApp reported an error in a webhook');
      if (p.skipped.length) log.debug({ channelId: row.channelId, inboxId: row.id, skipped: p.skipped.slice(0, 20) }, 'webhook items skipped');
    }
    for (const u of templateUpdates) await deps.templates.applyStatusUpdate(u.channelId, u);
    for (const sink of deps.sinks) {
      if (statuses.length) await sink.onStatuses(statuses);
      if (inbound.length) await sink.onInbound(inbound);
    }
  }

  async function failRow(row: InboxRow, e: unknown): Promise<void> {
    const message = e instanceof Error ? e.message : String(e);
    const final = e instanceof UnparseableRow || row.attempts >= maxAttempts;
    const now = deps.clock.now();
    await deps.store.fail(claimant, row.id, message.slice(0, 2000), now, final ? null : now + retryBaseMs * 2 ** (row.attempts - 1));
    log.error({ inboxId: row.id, channelId: row.channelId, attempts: row.attempts, final, err: message }, final ? 'webhook payload failed for good' : 'webhook payload failed; will retry');
  }

  // Payloads this process received while the drain ran, stored already claimed by it (LocalDrain in
  // webhooks.ts), in id order; `reserved` counts those whose insert is still in flight.
  let local: InboxRow[] = [];
  let reserved = 0;
  let settled: (() => void) | undefined;

  /**
   * Claims and processes one batch: the rows handed over in memory plus whatever is claimable in the
   * inbox (pending ones, e.g. from processes without a drain or due for a retry, and expired claims),
   * merged in id order. Resolves to the number of rows processed.
   */
  async function drainOnce(): Promise<number> {
    const now = deps.clock.now();
    const taken = local.splice(0, batchSize);
    let claimed: InboxRow[];
    try {
      claimed = await deps.store.claim(claimant, now, batchSize, leaseMs);
    } catch (e) {
      local.unshift(...taken);
      throw e;
    }
    // A handed-over row older than the lease is claimable by any drain by now: it is left to the claim.
    const mine = taken.filter((r) => r.receivedAt >= now - leaseMs);
    const rows = mine.length ? mergeById(mine, claimed) : claimed;
    if (!rows.length) return 0;
    try {
      await processRows(rows);
      await deps.store.complete(claimant, rows.map((r) => r.id), deps.clock.now());
    } catch {
      for (const row of rows) {
        try {
          await processRows([row]);
          await deps.store.complete(claimant, [row.id], deps.clock.now());
        } catch (e) {
          await failRow(row, e);
        }
      }
    }
    return rows.length;
  }

  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let unsubscribe: (() => void) | undefined;
  let detach: (() => void) | undefined;
  const unreserve = () => {
    reserved--;
    if (reserved === 0 && settled) {
      settled();
      settled = undefined;
    }
  };
  let lastPurge = 0;

  // A payload that arrives while a batch is being processed must not wait for the next poll.
  let woken = false;
  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken) {
        woken = false;
        resolve();
        return;
      }
      const t = setTimeout(() => { wakeUp = undefined; resolve(); }, ms);
      wakeUp = () => { clearTimeout(t); wakeUp = undefined; resolve(); };
    });
  const wake = () => {
    if (wakeUp) wakeUp();
    else woken = true;
  };

  async function run(): Promise<void> {
    while (running) {
      try {
        const n = await drainOnce();
        const now = deps.clock.now();
        if (now - lastPurge > 600_000) {
          lastPurge = now;
          await deps.store.purgeDone(now - keepDoneMs);
        }
        if (n === 0 && running) await idle(pollMs);
        // A batch short of batchSize emptied the inbox: give the next one gatherMs to fill up. Under a
        // stream of one-status POSTs this turns a claim and a completion per few rows into one per
        // many, at the cost of gatherMs of processing latency (Meta's 200 does not wait for it).
        if (n < batchSize && gatherMs > 0 && running) await new Promise((r) => setTimeout(r, gatherMs));
      } catch (e) {
        log.error({ err: e instanceof Error ? e.message : String(e) }, 'webhook drain error; retrying');
        if (running) await idle(pollMs * 4);
      }
    }
  }

  return {
    drainOnce,
    /** Drains until the inbox has nothing claimable (tests, benchmarks). */
    async drainAll(): Promise<number> {
      let total = 0;
      for (let n = await drainOnce(); n > 0; n = await drainOnce()) total += n;
      return total;
    },
    start(): void {
      if (running) return;
      running = true;
      unsubscribe = deps.webhooks.onReceived(wake);
      detach = deps.webhooks.attachLocal({
        claimant,
        reserve: () => {
          if (!running || reserved + local.length >= maxLocal) return false;
          reserved++;
          return true;
        },
        take: (row) => {
          local.push(row);
          unreserve();
          wake();
        },
        cancel: () => unreserve(),
      });
      loop = run();
    },
    /**
     * Stops after the batch in hand. Rows handed over but not processed are given back (pending again)
     * once the inserts in flight have settled, so another drain takes them at once rather than after
     * the lease; if that fails (database gone), they wait for the lease like a dead process's claims.
     */
    async stop(): Promise<void> {
      running = false;
      unsubscribe?.();
      detach?.();
      detach = undefined;
      wakeUp?.();
      await loop;
      if (reserved > 0) await new Promise<void>((r) => (settled = r));
      const rest = local;
      local = [];
      try {
        await deps.store.release(claimant, rest.map((r) => r.id));
      } catch (e) {
        log.warn({ rows: rest.length, err: e instanceof Error ? e.message : String(e) }, 'webhook drain could not give its rows back; they wait for the lease');
      }
    },
  };
}
export type WebhookDrain = ReturnType<typeof createWebhookDrain>;

/** Two id-ordered lists as one, by id; a row in both (a handed-over row this drain also claimed, its lease expired) once, as claimed. */
function mergeById(a: InboxRow[], b: InboxRow[]): InboxRow[] {
  if (!b.length) return a;
  const claimed = new Set(b.map((r) => r.id));
  return [...a.filter((r) => !claimed.has(r.id)), ...b].sort((x, y) => x.id - y.id);
}

class UnparseableRow extends Error {
  constructor(id: number) {
    super(`inbox row ${id} is not valid JSON`);
  }
}
