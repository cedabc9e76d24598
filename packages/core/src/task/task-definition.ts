/**
 * The task as the operator builds it in the five steps: basic information (with the subject),
 * audience, trigger, delivery settings. The schemas check each field; rules that relate fields
 * (CSV only with scheduled triggers, range order, …) are in task-rules.ts and trigger-rules.ts.
 * The audience rule and the message content are opaque here: the audience and message modules own
 * their validation.
 */
import { z } from 'zod';
import { doNotDisturbSchema } from '../trigger/do-not-disturb';
import { taskTriggerSchema } from '../trigger/trigger-schema';
import { supplementaryIdsSchema } from './supplementary-ids';

export const TASK_NAME_MAX_LENGTH = 100;

const idSchema = (what: string) =>
  z.string({ error: `Choose ${what}` }).trim().min(1, `Choose ${what}`).max(200, 'At most 200 characters');

/** An opaque value another module validates; absent (or null) still means "not given". */
const requiredOpaque = (message: string) => z.unknown().refine((value) => value !== undefined && value !== null, message);

export const basicInfoSchema = z.strictObject({
  /** Unique among the project's tasks ignoring case and surrounding blanks: checked by the service. */
  name: z
    .string({ error: 'Name the task' })
    .trim()
    .min(1, 'Name the task')
    .max(TASK_NAME_MAX_LENGTH, `A task name has at most ${TASK_NAME_MAX_LENGTH} characters`),
  groupId: idSchema('a group').optional(),
  activityId: idSchema('an activity').optional(),
  subjectType: z.string().trim().min(1, 'Choose a subject type').max(64).default('user'),
});
export type BasicInfo = z.output<typeof basicInfoSchema>;

export const MAX_EXCLUSION_LOOKBACK_DAYS = 365;

export const exclusionSchema = z.strictObject({
  taskIds: z
    .array(idSchema('a task'))
    .min(1, 'Choose at least one task to exclude')
    .max(100, 'At most 100 tasks')
    .refine((ids) => new Set(ids).size === ids.length, 'Each task may be chosen only once'),
  /** Absent: anyone ever reached by those tasks is skipped. */
  lookbackDays: z
    .number()
    .int('Use a whole number of days')
    .min(1, 'Must be at least 1 day')
    .max(MAX_EXCLUSION_LOOKBACK_DAYS, `At most ${MAX_EXCLUSION_LOOKBACK_DAYS} days`)
    .optional(),
});
export type Exclusion = z.output<typeof exclusionSchema>;

const audienceCommon = {
  supplementaryIds: supplementaryIdsSchema.default([]),
  exclusion: exclusionSchema.optional(),
};

export const audienceSchema = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({
      mode: z.literal('rule'),
      /** The condition tree; validated by the audience module. */
      rule: requiredOpaque('Define the audience rule'),
      syncToSegmentList: z.boolean({ error: 'Say whether to show the segment in the segment list' }),
      authorisedRoleIds: z.array(idSchema('a role')).max(100).default([]),
      ...audienceCommon,
    }),
    z.strictObject({ mode: z.literal('segment'), segmentId: idSchema('a segment'), ...audienceCommon }),
    /** The file is uploaded in step 5, so a draft (or even a submitted task) may not have it yet. */
    z.strictObject({ mode: z.literal('csv'), csvUploadId: idSchema('a CSV upload').optional(), ...audienceCommon }),
  ],
  { error: 'Choose an audience: rule, segment or csv' },
);
export type TaskAudience = z.output<typeof audienceSchema>;
export type AudienceMode = TaskAudience['mode'];

/** Priority order: notification > urgent > normal (SPEC section 3, step 5). */
export const TASK_TYPES = ['notification', 'urgent', 'normal'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export const taskCapSchema = z.strictObject({
  max: z.number().int('Use a whole number').min(1, 'Must be at least 1').max(10_000, 'At most 10000'),
  period: z.enum(['hour', 'day', 'week', 'lifetime'], { error: 'Use hour, day, week or lifetime' }),
});
export type TaskCap = z.output<typeof taskCapSchema>;

export const deliverySettingsSchema = z.strictObject({
  channelId: idSchema('a channel'),
  phoneNumberId: idSchema('a sender phone number'),
  taskType: z.enum(TASK_TYPES, { error: 'Use notification, urgent or normal' }),
  /** The message; validated by the message module. */
  content: requiredOpaque('Write the message content'),
  dnd: doNotDisturbSchema.optional(),
  /** Apply the channel and cross-channel frequency caps of the settings centre. */
  globalLimit: z.boolean().default(true),
  taskCap: taskCapSchema.optional(),
});
export type DeliverySettings = z.output<typeof deliverySettingsSchema>;

export const taskDefinitionSchema = z.strictObject({
  basic: basicInfoSchema,
  audience: audienceSchema,
  trigger: taskTriggerSchema,
  delivery: deliverySettingsSchema,
});
/** A complete task, as submitted for approval (defaults applied, times in UTC, phones in E.164). */
export type TaskDefinition = z.output<typeof taskDefinitionSchema>;
/** What a client may send (defaults optional). */
export type TaskDefinitionInput = z.input<typeof taskDefinitionSchema>;
