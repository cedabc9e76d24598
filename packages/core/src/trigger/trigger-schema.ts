/**
 * The four trigger types of step 4. Cross-field rules (range order, end times, limits, "in the
 * future") live in the task validation, which can also check drafts.
 */
import { z } from 'zod';
import { recurringCycleSchema } from './cycle-schema';
import { countingSchema, eventRangeSchema, eventSpecSchema, triggerTimingSchema } from './event-schemas';
import { timingDurationSchema, utcInstantSchema } from './time-schemas';

export const REFRESH_FAILURE_POLICIES = ['use_last', 'skip'] as const;

const refreshFields = {
  /** Refresh an `on_demand` segment a lead time before each run. */
  refreshSegment: z.boolean().default(true),
  refreshFailure: z.enum(REFRESH_FAILURE_POLICIES, { error: 'Use use_last or skip' }).default('use_last'),
};

export const scheduledOnceTriggerSchema = z.strictObject({
  type: z.literal('scheduled_once'),
  sendAt: utcInstantSchema,
  /** What happens when the send time comes and the task is unapproved. Not sending late is the safe default. */
  approvalTimeout: z.enum(['cancel', 'run_after_approval'], { error: 'Use cancel or run_after_approval' }).default('cancel'),
  ...refreshFields,
});

export const recurringTriggerSchema = z.strictObject({
  type: z.literal('recurring'),
  cycle: recurringCycleSchema,
  startAt: utcInstantSchema,
  endAt: utcInstantSchema,
  ...refreshFields,
});

const eventTriggerFields = {
  eventA: eventSpecSchema,
  range: eventRangeSchema,
  counting: countingSchema,
  timing: triggerTimingSchema,
  /** Absent: the range end plus the longest delay (`defaultEndAt`). */
  endAt: utcInstantSchema.optional(),
};

export const triggeredTriggerSchema = z.strictObject({ type: z.literal('triggered'), ...eventTriggerFields });

export const triggeredNotTriggerSchema = z.strictObject({
  type: z.literal('triggered_not'),
  ...eventTriggerFields,
  eventB: eventSpecSchema,
  window: timingDurationSchema,
});

export const taskTriggerSchema = z.discriminatedUnion(
  'type',
  [scheduledOnceTriggerSchema, recurringTriggerSchema, triggeredTriggerSchema, triggeredNotTriggerSchema],
  { error: 'Choose a trigger type: scheduled_once, recurring, triggered or triggered_not' },
);

export type ScheduledOnceTrigger = z.output<typeof scheduledOnceTriggerSchema>;
export type RecurringTrigger = z.output<typeof recurringTriggerSchema>;
export type TriggeredTrigger = z.output<typeof triggeredTriggerSchema>;
export type TriggeredNotTrigger = z.output<typeof triggeredNotTriggerSchema>;
export type EventTrigger = TriggeredTrigger | TriggeredNotTrigger;
export type TaskTrigger = z.output<typeof taskTriggerSchema>;
export type TaskTriggerInput = z.input<typeof taskTriggerSchema>;
export type TriggerType = TaskTrigger['type'];
export const TRIGGER_TYPES = ['scheduled_once', 'recurring', 'triggered', 'triggered_not'] as const;

export function isScheduledTrigger(type: TriggerType): type is 'scheduled_once' | 'recurring' {
  return type === 'scheduled_once' || type === 'recurring';
}

export function isEventTrigger(trigger: TaskTrigger): trigger is EventTrigger {
  return trigger.type === 'triggered' || trigger.type === 'triggered_not';
}
