import { classifyGraphError, type GraphErrorClass } from '@wareach/core';
import { FormData, Pool, errors as undiciErrors } from 'undici';
import { startHttpThread, type ThreadAnswer } from './http-thread';

/**
 * HTTP to the Graph API (Meta, a proxy, or the sandbox): one undici Pool per origin with keep-alive, JSON
 * in and out, and every failure turned into one shape. Failures are classified by Meta's `error.code`
 * (core's classifyGraphError); the HTTP status only speaks when there is no code (NOTES section 4: the
 * rate limits come back as HTTP 400).
 */
export interface GraphTarget {
  /** e.g. `https://graph.facebook.com`, or the sandbox's `http://host:port/sandbox/graph`. */
  baseUrl: string;
  /** e.g. `v23.0`. */
  version: string;
  accessToken: string;
}

export interface GraphFailure {
  /** Meta's `error.code`; null when there was no Graph error body (network, timeout, a proxy's 502). */
  code: number | null;
  subcode?: number;
  /** Short title: the message without its `(#code)` prefix, or the transport problem. */
  title: string;
  /** Longest explanation available (`error_data.details`, else `error.message`). */
  message: string;
  /** null when no HTTP answer came at all. */
  httpStatus: number | null;
  classification: GraphErrorClass;
  fbtraceId?: string;
  /** The request never left: it waited for a connection past its `leaveWithinMs`. Nothing was sent. */
  notSent?: true;
}

export type GraphResult<T> = { ok: true; value: T; httpStatus: number } | { ok: false; error: GraphFailure };

export interface GraphRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path under `{baseUrl}/{version}`, starting with `/`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  form?: FormData;
  /** Use this absolute path+query instead of building one (paging `next` links resolved on our origin). */
  rawPath?: string;
  /**
   * The request must leave within this many ms, or not at all (a failure with `notSent`): requests
   * beyond the connections wait in order for one, and the caller's promise may not hold past it.
   */
  leaveWithinMs?: number;
}

export interface GraphHttpOptions {
  /** Connections per origin (default 64). */
  connections?: number;
  /** Headers and body timeout of one request (default 15 s). */
  timeoutMs?: number;
  /**
   * JSON requests go through an HTTP thread of their own (http-thread.ts), off the event loop; the
   * engine's sender sets it. Multipart uploads, and everything once the thread is gone, use this
   * thread's pools.
   */
  thread?: boolean;
}

interface Base {
  origin: string;
  prefix: string;
}

export function createGraphHttp(opts: GraphHttpOptions = {}) {
  const pools = new Map<string, Pool>();
  const bases = new Map<string, Base>();
  const timeout = opts.timeoutMs ?? 15_000;
  const connections = opts.connections ?? 64;
  const thread = opts.thread ? startHttpThread({ connections, timeoutMs: timeout }) : undefined;
  // The same limit as the thread's, for requests sent from this thread: a request that would wait for a
  // connection past its leaveWithinMs is not sent.
  const gate = connectionGate(connections);

  function baseOf(baseUrl: string): Base {
    let b = bases.get(baseUrl);
    if (!b) {
      const u = new URL(baseUrl);
      b = { origin: u.origin, prefix: u.pathname.replace(/\/+$/, '') };
      bases.set(baseUrl, b);
    }
    return b;
  }

  function poolOf(origin: string): Pool {
    let p = pools.get(origin);
    if (!p) {
      p = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000 });
      pools.set(origin, p);
    }
    return p;
  }

  /** Builds the request path for a target (exported through `pathFor` for paging). */
  function pathFor(target: GraphTarget, path: string, query?: GraphRequest['query']): string {
    const b = baseOf(target.baseUrl);
    let p = `${b.prefix}/${target.version}${path}`;
    if (query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
      const s = qs.toString();
      if (s) p += `?${s}`;
    }
    return p;
  }

  async function request<T>(target: GraphTarget, req: GraphRequest): Promise<GraphResult<T>> {
    const b = baseOf(target.baseUrl);
    const headers: Record<string, string> = { authorization: `Bearer ${target.accessToken}`, accept: 'application/json' };
    let body: string | FormData | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else {
      body = req.form;
    }
    let status: number;
    let text: string;
    const path = req.rawPath ?? pathFor(target, req.path, req.query);
    const leaveBy = req.leaveWithinMs !== undefined ? Date.now() + req.leaveWithinMs : undefined;
    if (thread?.alive && typeof body === 'string') {
      const a: ThreadAnswer = await thread.request({ origin: b.origin, method: req.method, path, headers, body, ...(leaveBy !== undefined ? { leaveBy } : {}) });
      if ('notSent' in a) return { ok: false, error: notSentFailure() };
      if ('error' in a) return { ok: false, error: transportFailure(a.error) };
      ({ status, text } = a);
    } else {
      if (!(await gate.enter(leaveBy))) return { ok: false, error: notSentFailure() };
      try {
        const res = await poolOf(b.origin).request({ method: req.method, path, headers, body: body ?? null, headersTimeout: timeout, bodyTimeout: timeout });
        status = res.statusCode;
        text = await res.body.text();
      } catch (e) {
        return { ok: false, error: transportFailure(e) };
      } finally {
        gate.leave();
      }
    }
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (status >= 200 && status < 300 && parsed !== undefined) return { ok: true, value: parsed as T, httpStatus: status };
    return { ok: false, error: graphFailure(status, parsed, text) };
  }

  return {
    request,
    pathFor,
    /** Resolves a paging link against the target's own origin, so the bearer token never goes elsewhere. */
    localPath(link: string): string {
      const u = new URL(link);
      return u.pathname + u.search;
    },
    async close(): Promise<void> {
      await thread?.close();
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((p) => p.close().catch(() => p.destroy())));
    },
  };
}
export type GraphHttp = ReturnType<typeof createGraphHttp>;

interface GraphErrorBody {
  error?: { code?: unknown; error_subcode?: unknown; message?: unknown; error_user_title?: unknown; error_data?: { details?: unknown }; fbtrace_id?: unknown };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);

export function graphFailure(httpStatus: number, parsed: unknown, text: string): GraphFailure {
  const e = (parsed as GraphErrorBody | undefined)?.error;
  const code = num(e?.code);
  const subcode = num(e?.error_subcode);
  const rawMessage = str(e?.message);
  const title = str(e?.error_user_title) ?? (rawMessage ? rawMessage.replace(/^\(#\d+\)\s*/, '') : `HTTP ${httpStatus}`);
  const message = str(e?.error_data?.details) ?? rawMessage ?? (text.slice(0, 200) || `HTTP ${httpStatus} without a body`);
  return {
    code: code ?? null,
    ...(subcode !== undefined ? { subcode } : {}),
    title,
    message,
    httpStatus,
    classification: classifyGraphError({ httpStatus, code: code ?? null, subcode: subcode ?? null }),
    ...(str(e?.fbtrace_id) ? { fbtraceId: str(e?.fbtrace_id)! } : {}),
  };
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

/** A request that never left (its leave-by time passed while it waited for a connection). */
function notSentFailure(): GraphFailure {
  return {
    code: null,
    title: 'Not sent',
    message: 'the request waited for a connection past its deadline and was not sent',
    httpStatus: null,
    classification: { kind: 'transient', retryable: true, backoff: { baseMs: 1_000, maxMs: 60_000 } },
    notSent: true,
  };
}

/** At most `n` requests in flight; the others wait in order, each no later than its leave-by time. */
function connectionGate(n: number) {
  let free = n;
  const waiting: { leaveBy: number | undefined; resolve: (go: boolean) => void }[] = [];
  return {
    enter(leaveBy: number | undefined): Promise<boolean> {
      if (free > 0 && waiting.length === 0) {
        free--;
        return Promise.resolve(true);
      }
      return new Promise<boolean>((resolve) => waiting.push({ leaveBy, resolve }));
    },
    leave() {
      free++;
      while (free > 0 && waiting.length) {
        const w = waiting.shift()!;
        if (w.leaveBy !== undefined && Date.now() > w.leaveBy) {
          w.resolve(false);
          continue;
        }
        free--;
        w.resolve(true);
      }
    },
  };
}

/** A transport error: undici's own, or its code, name and message as the HTTP thread passes them on. */
export function transportFailure(e: unknown): GraphFailure {
  const code = (e as { code?: string }).code;
  const timeout = (code !== undefined && TIMEOUT_CODES.has(code)) || e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError;
  const transport = timeout ? 'timeout' : 'network';
  return {
    code: null,
    title: timeout ? 'Request timed out' : 'Network error',
    message: `${code ?? (e as { name: string }).name}: ${(e as { message: string }).message}`,
    httpStatus: null,
    classification: classifyGraphError({ transport }),
  };
}
