import type { Generated } from 'kysely';

/**
 * Tables of the execution engine (issue 5): the embedded queue, durable timers, runs, deliveries and
 * the bookkeeping the dispatcher needs (caps, messaging tier, trigger counters, statuses that arrived
 * before their delivery knew its wamid). Same conventions as the foundation: epoch ms bigint, 0/1
 * integers, JSON text.
 */
export interface QueueJobsTable {
  id: Generated<number>;
  name: string;
  payload: string; // JSON
  /** Optional idempotency key: a second enqueue with the same key while the first is pending is ignored. */
  job_key: string | null;
  run_at: number;
  attempts: number;
  max_attempts: number;
  /** Visibility timeout: while in the future, a consumer holds the job; after it, any consumer may reclaim it. */
  locked_until: number | null;
  locked_by: string | null;
  last_error: string | null;
  dead: number;
  created_at: number;
}

export interface TimersTable {
  id: Generated<number>;
  /** Unique: scheduling the same timer twice keeps one. */
  key: string;
  due_at: number;
  job_name: string;
  payload: string; // JSON
  /** The task the timer belongs to, so an end time can drop what is still waiting. */
  task_id: string | null;
  locked_until: number | null;
  created_at: number;
}

export interface RunsTable {
  id: string; // occurrenceId(task, occurrence): deterministic
  task_id: string;
  kind: string; // scheduled | triggered
  occurrence_at: number;
  state: string; // pending | running | completed | skipped | cancelled
  reason: string | null;
  audience_size: number;
  paced: number; // deliveries held back by the messaging tier
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface DeliveriesTable {
  id: string; // derived from (task, run, recipient)
  task_id: string;
  run_id: string;
  /** The recipient key within the run: the one-ID, or the phone for a profile-less CSV row (plus `#n` for every-N triggers). */
  recipient: string;
  profile_id: string | null;
  phone: string | null;
  state: string;
  reason: string | null;
  priority: string;
  due_at: number;
  /** Triggered tasks: when the qualifying event A happened (A-not-B windows are counted from it). */
  trigger_at: number | null;
  cap_granted: number;
  wamid: string | null;
  error_code: number | null;
  error_title: string | null;
  attempts: number;
  queued_at: number;
  sending_at: number | null;
  accepted_at: number | null;
  delivered_at: number | null;
  read_at: number | null;
  failed_at: number | null;
  skipped_at: number | null;
  replied_at: number | null;
  clicked_at: number | null;
  updated_at: number;
  /** The worker (`host:pid`) that claimed it for sending. */
  sent_by: string | null;
}

export interface DeliveryInteractionsTable {
  inbound_id: string; // the inbound message's wamid: a duplicate webhook records nothing twice
  delivery_id: string;
  task_id: string;
  kind: string; // reply | click
  button: string | null;
  at: number;
}

export interface UnmatchedStatusesTable {
  id: Generated<number>;
  wamid: string;
  status: string;
  at: number;
  error_code: number | null;
  error_title: string | null;
  received_at: number;
}

export interface CapCountersTable {
  key: string;
  count: number;
  expires_at: number | null;
}

export interface TierContactsTable {
  channel_id: string;
  phone: string;
  last_at: number;
}

/** How many of a channel's tier contacts had their last message in each minute (minute = ms / 60,000). */
export interface TierMinutesTable {
  channel_id: string;
  minute: number;
  contacts: number;
}

export interface TriggerCountersTable {
  task_id: string;
  profile_id: string;
  count: number;
  updated_at: number;
}

export interface EngineStateTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface EngineTables {
  queue_jobs: QueueJobsTable;
  timers: TimersTable;
  runs: RunsTable;
  deliveries: DeliveriesTable;
  delivery_interactions: DeliveryInteractionsTable;
  unmatched_statuses: UnmatchedStatusesTable;
  cap_counters: CapCountersTable;
  tier_contacts: TierContactsTable;
  tier_minutes: TierMinutesTable;
  trigger_counters: TriggerCountersTable;
  engine_state: EngineStateTable;
}
