import type { MessageContent, PauseMode, TaskDefinition, TaskState } from '@wareach/core';
import type { SendContext, SendOutcome } from '../adapters/whatsapp/cloud-api-client';

/**
 * What the engine needs from the rest of the server, as small ports (DESIGN: services own the ports
 * they use). The container adapts the task, segment and channel services to them; tests supply their
 * own in-memory versions.
 */
export interface EngineTask {
  id: string;
  state: TaskState;
  /** Set while paused: drop or hold the sends that fall due. */
  pauseMode: PauseMode | null;
  definition: TaskDefinition;
  /** The segment the task's audience is stored in (its rule, chosen or CSV segment); absent: look it up. */
  audienceSegmentId?: string | null;
}

export interface EngineTaskSource {
  getTask(id: string): Promise<EngineTask | undefined>;
  /** Tasks the scheduler acts on: pending approval, approved, running and paused. */
  listActive(): Promise<EngineTask[]>;
  /** Applies a lifecycle action as the system; false when the task's state does not allow it. */
  transition(id: string, action: 'start' | 'complete' | 'end' | 'approval_timeout' | 'cancel', comment?: string): Promise<boolean>;
}

export interface AudienceMember {
  profileId: string | null;
  phone: string | null;
}

export type RefreshOutcome = { kind: 'refreshed' } | { kind: 'not_needed' } | { kind: 'failed'; reason: string };

export interface AudienceSource {
  /** The run's audience (supplementary IDs not included), in batches. */
  iterate(task: EngineTask, batchSize: number): AsyncIterable<AudienceMember[]>;
  /** Triggered tasks: which of these profiles are in the audience now (one look-up for a batch). */
  inAudience(task: EngineTask, profileIds: string[]): Promise<Set<string>>;
  /** Refreshes an `on_demand` segment before a scheduled run; `not_needed` for other audiences. */
  refresh(task: EngineTask): Promise<RefreshOutcome>;
}

export type SendContextOutcome =
  | { kind: 'ready'; ctx: SendContext; /** Unique users per rolling 24 h (the messaging tier); null: unlimited. */ tierLimit: number | null }
  | { kind: 'paused'; reason: string }
  | { kind: 'missing'; reason: string };

export interface ChannelGateway {
  sendContext(channelId: string, phoneNumberId: string): Promise<SendContextOutcome>;
  /** Reserves a slot of the phone number's throughput; resolves to the ms to wait before sending (0: now). */
  throughputWait(ctx: SendContext): Promise<number>;
  /**
   * Sends (no throughput wait, no retry: the dispatcher owns both). The request waits for a free
   * connection at most `leaveWithinMs`; past it, it is not sent and comes back failed with `notSent`.
   */
  send(ctx: SendContext, body: Record<string, unknown>, leaveWithinMs?: number): Promise<SendOutcome>;
  pauseChannel(channelId: string, reason: string): Promise<void>;
  /** Meta media IDs of the content's uploaded files for this phone number of the channel (uploading them when needed). */
  mediaIds(channelId: string, phoneNumberId: string, content: MessageContent): Promise<Record<string, string>>;
  /** When each of these users last wrote to the business (opens the 24-hour window); absent: never. */
  lastInboundAtMany(phones: string[]): Promise<Map<string, number>>;
}
