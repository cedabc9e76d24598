import { z } from 'zod';
import { err, issuesToFieldErrors, ok, type Result } from '../shared/result';
import { propertyFilterSchema } from './property-filter';
import { durationSchema, timeRangeSchema } from './time-range';

/**
 * The audience rule (SPEC section 3, step 3, mode 1): a tree of AND/OR groups whose leaves test
 * attributes, tags, membership of other segments, behaviour (did / did not do an event) and identities.
 * What each leaf means is defined once, in `evaluate-rule.ts`; the SQL compiler must agree with it.
 *
 * The limits keep a rule cheap to compile and to evaluate and keep its SQL readable. Depth counts groups:
 * the root group is level 1, and groups may nest down to level 5. The schema itself is built level by
 * level, so parsing never recurses deeper than that whatever the input.
 */
export const AUDIENCE_RULE_LIMITS = {
  maxDepth: 5,
  maxLeaves: 50,
  maxListValues: 1000,
  maxStringLength: 500,
  maxFiltersPerEvent: 20,
} as const;

const name = z.string().min(1, 'must not be empty').max(100);
const text = z.string().max(AUDIENCE_RULE_LIMITS.maxStringLength);
const textList = z.array(text).min(1, 'give at least one value').max(AUDIENCE_RULE_LIMITS.maxListValues);
const numberList = z.array(z.number()).min(1, 'give at least one value').max(AUDIENCE_RULE_LIMITS.maxListValues);
const instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a zone, e.g. 2025-03-01T08:00:00+08:00' });

const numberBetween = z
  .tuple([z.number(), z.number()])
  .refine(([lo, hi]) => lo <= hi, { message: 'the first bound must not exceed the second', path: [1] });
const instantBetween = z
  .tuple([instant, instant])
  .refine(([a, b]) => Date.parse(a) < Date.parse(b), { message: 'must be after the first date-time', path: [1] });

/** Condition on one typed value (attribute or tag); `kind` and `name` say which value. */
function typedCondition<K extends 'attribute' | 'tag'>(kind: K) {
  const head = { kind: z.literal(kind), name };
  const presence = z.enum(['exists', 'not_exists']);
  const string = z.literal('string');
  const number = z.literal('number');
  const boolean = z.literal('boolean');
  const datetime = z.literal('datetime');
  return [
    z.discriminatedUnion('op', [
      z.object({ ...head, valueType: string, op: z.enum(['eq', 'ne']), value: text }),
      z.object({ ...head, valueType: string, op: z.enum(['contains', 'starts_with']), value: text.min(1, 'must not be empty') }),
      z.object({ ...head, valueType: string, op: z.enum(['in', 'not_in']), value: textList }),
      z.object({ ...head, valueType: string, op: presence }),
    ]),
    z.discriminatedUnion('op', [
      z.object({ ...head, valueType: number, op: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte']), value: z.number() }),
      z.object({ ...head, valueType: number, op: z.literal('between'), value: numberBetween }),
      z.object({ ...head, valueType: number, op: z.literal('in'), value: numberList }),
      z.object({ ...head, valueType: number, op: presence }),
    ]),
    z.discriminatedUnion('op', [
      z.object({ ...head, valueType: boolean, op: z.enum(['is_true', 'is_false']) }),
      z.object({ ...head, valueType: boolean, op: presence }),
    ]),
    z.discriminatedUnion('op', [
      z.object({ ...head, valueType: datetime, op: z.enum(['before', 'after']), value: instant }),
      z.object({ ...head, valueType: datetime, op: z.literal('between'), value: instantBetween }),
      z.object({ ...head, valueType: datetime, op: z.literal('within_last'), value: durationSchema }),
      z.object({ ...head, valueType: datetime, op: presence }),
    ]),
  ] as const;
}

const stringListCondition = z.discriminatedUnion('op', [
  z.object({ kind: z.literal('attribute'), name, valueType: z.literal('string_list'), op: z.literal('contains'), value: text }),
  z.object({ kind: z.literal('attribute'), name, valueType: z.literal('string_list'), op: z.enum(['contains_any', 'contains_all']), value: textList }),
  z.object({ kind: z.literal('attribute'), name, valueType: z.literal('string_list'), op: z.enum(['exists', 'not_exists']) }),
]);

/** Attributes hold string, number, boolean, datetime or string-list values. */
export const attributeConditionSchema = z.discriminatedUnion('valueType', [...typedCondition('attribute'), stringListCondition]);
/** Tags hold scalar typed values (as the profile store keeps them): no string lists. */
export const tagConditionSchema = z.discriminatedUnion('valueType', typedCondition('tag'));

export const segmentConditionSchema = z.object({ kind: z.literal('segment'), segmentId: name, member: z.boolean() });

export const identityConditionSchema = z.object({
  kind: z.literal('identity'),
  type: z.string().min(1, 'name the identity type').max(64),
  has: z.boolean(),
});

export const eventCountSchema = z.object({
  op: z.enum(['gte', 'lte', 'eq', 'gt', 'lt']),
  value: z.number().int().min(0).max(1_000_000),
});

export const eventConditionSchema = z
  .object({
    kind: z.literal('event'),
    name,
    did: z.boolean(),
    filters: z.array(propertyFilterSchema).max(AUDIENCE_RULE_LIMITS.maxFiltersPerEvent).default([]),
    count: eventCountSchema.optional(),
    timeRange: timeRangeSchema,
  })
  .superRefine((leaf, ctx) => {
    if (!leaf.count) return;
    if (!leaf.did) {
      ctx.addIssue({ code: 'custom', path: ['count'], message: 'applies only to did: true (did: false already means no such event in the range)' });
      return;
    }
    const { op, value } = leaf.count;
    // did: true always needs at least one event, so a count that only zero satisfies is a contradiction.
    if ((op === 'eq' && value === 0) || (op === 'lt' && value <= 1) || (op === 'lte' && value === 0)) {
      ctx.addIssue({ code: 'custom', path: ['count', 'value'], message: 'can only be met by zero events: use did: false' });
    }
  });

export type AttributeCondition = z.infer<typeof attributeConditionSchema>;
export type TagCondition = z.infer<typeof tagConditionSchema>;
export type SegmentCondition = z.infer<typeof segmentConditionSchema>;
export type IdentityCondition = z.infer<typeof identityConditionSchema>;
export type EventCondition = z.infer<typeof eventConditionSchema>;
export type EventCount = z.infer<typeof eventCountSchema>;
export type TypedValueCondition = AttributeCondition | TagCondition;
export type AudienceLeaf = AttributeCondition | TagCondition | SegmentCondition | EventCondition | IdentityCondition;

export interface ConditionGroup {
  kind: 'and' | 'or';
  children: AudienceCondition[];
}
export type AudienceCondition = ConditionGroup | AudienceLeaf;
/** A rule is its root group. */
export type AudienceRule = ConditionGroup;

const leafOptions = [attributeConditionSchema, tagConditionSchema, segmentConditionSchema, eventConditionSchema, identityConditionSchema] as const;

const tooDeep = z
  .object({ kind: z.enum(['and', 'or']) })
  .superRefine((_, ctx) => {
    ctx.addIssue({ code: 'custom', path: ['kind'], message: `groups may nest at most ${AUDIENCE_RULE_LIMITS.maxDepth} levels deep` });
  });

type GroupSchema = z.ZodObject<{
  kind: z.ZodEnum<{ and: 'and'; or: 'or' }>;
  children: z.ZodArray<z.ZodType<AudienceCondition>>;
}>;

function groupAt(level: number, minChildren: number): GroupSchema {
  // Past the last level a group is refused by name instead of parsed: the schema has no deeper level.
  const nested = level < AUDIENCE_RULE_LIMITS.maxDepth ? groupAt(level + 1, 1) : (tooDeep as unknown as GroupSchema);
  const child = z.discriminatedUnion('kind', [...leafOptions, nested]) as z.ZodType<AudienceCondition>;
  return z.object({
    kind: z.enum(['and', 'or']),
    // Every child holds at least one leaf, so the leaf limit also bounds the width of any group.
    children: z
      .array(child)
      .min(minChildren, 'a group needs at least one condition')
      .max(AUDIENCE_RULE_LIMITS.maxLeaves, `a group may hold at most ${AUDIENCE_RULE_LIMITS.maxLeaves} conditions`),
  });
}

export const isConditionGroup = (condition: AudienceCondition): condition is ConditionGroup =>
  condition.kind === 'and' || condition.kind === 'or';

export function countLeaves(condition: AudienceCondition): number {
  if (isConditionGroup(condition)) {
    return condition.children.reduce((n, c) => n + countLeaves(c), 0);
  }
  return 1;
}

function countLeavesLoosely(node: unknown): number {
  if (typeof node !== 'object' || node === null) return 0;
  const children = (node as { children?: unknown }).children;
  const kind = (node as { kind?: unknown }).kind;
  if (kind !== 'and' && kind !== 'or') return 1;
  return Array.isArray(children) ? children.reduce((n: number, c: unknown) => n + countLeavesLoosely(c), 0) : 0;
}

/**
 * The whole rule. The root may be empty: an empty `and` matches every profile, an empty `or` none.
 * Nested groups need at least one condition, since an empty one is almost always an editing slip.
 */
export const audienceRuleSchema = (groupAt(1, 0) as unknown as z.ZodType<AudienceRule>).superRefine((rule, ctx) => {
  // Zod runs this even when a child already failed (e.g. a group past the depth limit has no
  // children), so count over what is there rather than trusting the type.
  const leaves = countLeavesLoosely(rule);
  if (leaves > AUDIENCE_RULE_LIMITS.maxLeaves) {
    ctx.addIssue({ code: 'custom', path: [], message: `a rule may hold at most ${AUDIENCE_RULE_LIMITS.maxLeaves} conditions (this one has ${leaves})` });
  }
});

/** Validates a rule; errors name the field by path, e.g. `children.2.children.0.value`. */
export function parseAudienceRule(input: unknown, prefix = ''): Result<AudienceRule> {
  const parsed = audienceRuleSchema.safeParse(input);
  return parsed.success ? ok(parsed.data) : err(issuesToFieldErrors(parsed.error.issues, prefix));
}
