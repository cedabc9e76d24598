import type { z } from 'zod';
import type { BackoffPolicy } from '@wareach/core';

/**
 * The queue port (DESIGN habit 8): a job is a typed definition — name, version, payload schema, retry
 * policy — plus an idempotent handler. Two adapters implement it and pass one contract suite: the
 * embedded durable queue on the application database, and BullMQ on Redis.
 *
 * Delivery is at-least-once in both: a handler may run again after a crash, a lost lock or a retry,
 * so handlers claim their work with a conditional write and do nothing when the claim fails.
 * Delays here are short (retries, pacing); long waits (up to 365 days) are durable timers in the
 * database (timer-store.ts), handed to the queue only when due.
 */
export interface RetryPolicy {
  /** Total attempts, the first included; after the last failure the job becomes a dead letter. */
  attempts: number;
  backoff: BackoffPolicy;
}

export interface JobDefinition<P> {
  name: string;
  /** Bump when the payload shape changes incompatibly: old and new jobs then live under different names. */
  version: number;
  schema: z.ZodType<P>;
  retry: RetryPolicy;
}

export function defineJob<P>(def: JobDefinition<P>): JobDefinition<P> {
  return def;
}

/** The name a job travels under: the version is part of it. */
export const wireName = (def: { name: string; version: number }): string => `${def.name}.v${def.version}`;

export interface EnqueueItem<P> {
  payload: P;
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
  /** Idempotency key: while a job with this key is pending, another enqueue with it is ignored. */
  key?: string;
}

export interface JobContext {
  jobId: string;
  /** 1 on the first run. */
  attempt: number;
}

export type JobHandler<P> = (payload: P, ctx: JobContext) => Promise<void>;

export interface ConsumeOptions {
  concurrency?: number;
}

export interface DeadLetter {
  jobId: string;
  payload: unknown;
  attempts: number;
  error: string | null;
}

export interface QueueCounts {
  /** Waiting, delayed or running. */
  pending: number;
  dead: number;
}

export interface Queue {
  readonly kind: 'embedded' | 'bullmq';
  enqueue<P>(def: JobDefinition<P>, items: EnqueueItem<P>[]): Promise<void>;
  /** Registers the handler and starts consuming this definition's jobs. */
  consume<P>(def: JobDefinition<P>, handler: JobHandler<P>, opts?: ConsumeOptions): void;
  deadLetters(def: JobDefinition<unknown>, limit?: number): Promise<DeadLetter[]>;
  counts(def: JobDefinition<unknown>): Promise<QueueCounts>;
  /** Stops consuming; running handlers finish first. Enqueueing still works until close(). */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** Thrown payload problems are permanent: retrying cannot fix a payload that does not parse. */
export class InvalidPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPayloadError';
  }
}

export function parsePayload<P>(def: JobDefinition<P>, raw: unknown): P {
  const r = def.schema.safeParse(raw);
  if (!r.success) throw new InvalidPayloadError(`${wireName(def)}: invalid payload: ${r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  return r.data;
}

export const errorText = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, 2000);
