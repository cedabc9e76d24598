/**
 * Why a due message was not sent. The codes are stable: they are stored on deliveries, counted in
 * analysis ("dropped by reason") and branched on by the console, so a code is never renamed or reused.
 * `stage` is where the decision is made, in the order of SPEC section 5 (plus the trigger and run
 * stages before it, and the recipient's marketing state just before the send).
 */
export const SKIP_REASONS = {
  task_not_running: { stage: 'task', description: 'The task was no longer running when the message was due.' },
  after_end_time: { stage: 'task', description: "The message was due after the task's end time." },
  dropped_at_end_time: { stage: 'task', description: "A delayed or deferred message was still waiting when the task's end time came, so it was dropped." },
  paused_dropped: { stage: 'task', description: 'The message fell due while the task was paused, and the pause was set to drop such messages.' },
  cancelled_by_event_b: { stage: 'trigger', description: 'The recipient did event B within the window after event A, which cancels the message.' },
  segment_refresh_failed: { stage: 'run', description: "The segment could not be refreshed before the run and the task's policy is to skip the run." },
  not_in_audience: { stage: 'audience', description: 'The recipient was not in the audience when the message was due.' },
  excluded: { stage: 'audience', description: 'The recipient was reached by a task this one excludes.' },
  no_send_id: { stage: 'send_id', description: 'The recipient has no WhatsApp phone number.' },
  invalid_phone: { stage: 'send_id', description: "The recipient's WhatsApp phone number is not a valid phone number." },
  outside_service_window: { stage: 'service_window', description: 'The content is not a template and the recipient has not written to the business in the last 24 hours.' },
  dnd_dropped: { stage: 'do_not_disturb', description: 'The message was due in the do-not-disturb period and the task drops such messages.' },
  task_cap: { stage: 'frequency_cap', description: "The task's frequency cap for this recipient was reached." },
  channel_cap: { stage: 'frequency_cap', description: "The channel's frequency cap for this recipient was reached." },
  cross_channel_cap: { stage: 'frequency_cap', description: 'The cross-channel frequency cap for this recipient was reached.' },
  render_failed: { stage: 'render', description: 'The content could not be personalised: a value it inserts is missing and has no default.' },
  missing_profile_data: { stage: 'render', description: 'The recipient has no profile, and the content inserts attributes, tags or IDs.' },
  marketing_limit_24h: { stage: 'recipient', description: 'WhatsApp declined a marketing message to this recipient (131049) less than 24 hours ago; another is not attempted yet.' },
  marketing_opted_out: { stage: 'recipient', description: 'The recipient asked WhatsApp to stop marketing messages from this business (131050 or a "stop" preference).' },
} as const satisfies Record<string, { stage: SkipStage; description: string }>;

export type SkipStage =
  | 'task'
  | 'trigger'
  | 'run'
  | 'audience'
  | 'send_id'
  | 'service_window'
  | 'do_not_disturb'
  | 'frequency_cap'
  | 'render'
  | 'recipient';

export type SkipReason = keyof typeof SKIP_REASONS;
export const SKIP_REASON_CODES = Object.keys(SKIP_REASONS) as SkipReason[];

export const isSkipReason = (code: string): code is SkipReason => Object.prototype.hasOwnProperty.call(SKIP_REASONS, code);
export const describeSkipReason = (code: SkipReason): string => SKIP_REASONS[code].description;
