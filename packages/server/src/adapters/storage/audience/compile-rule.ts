import { sql } from 'kysely';
import { isConditionGroup, type AudienceCondition, type AudienceLeaf, type AudienceRule, type IdentityCondition, type SegmentCondition } from '@wareach/core';
import type { DialectKind } from '../database';
import { eventSql } from './event-sql';
import { DRIVER_RANK, type LeafSql } from './leaf-sql';
import { and, dialectFor, not, or, unfenced, type Cond, type Scalar, type SqlDialect } from './sql-fragments';
import { typedValueSql } from './typed-value-sql';

/**
 * How a segment named in a rule is read: `stored` from its current member set (an unknown segment has
 * none), `live` by evaluating its own rule now (realtime segments).
 */
export type SegmentSource = { kind: 'stored' } | { kind: 'live'; rule: AudienceRule; subjectType: string };

export interface CompileOptions {
  dialect: DialectKind;
  /** Epoch ms: relative event ranges and `within_last` count back from it. */
  now: number;
  /** Segments the rule references; any segment not listed is read as `stored`. */
  segments?: ReadonlyMap<string, SegmentSource>;
}

/**
 * A rule as SQL over the outer alias `p` (profiles). `where` is the whole condition unless `driver`
 * is set: then `driver` (an uncorrelated query of distinct `profile_id`) holds one AND-ed child of
 * the root and `where` the others, and the two must be combined (see audience-query.ts).
 */
export interface CompiledRule {
  where: Cond;
  driver?: Scalar;
}

/** Realtime segments may name realtime segments; this bounds how deep that inlining goes. */
const MAX_SEGMENT_NESTING = 5;

export class AudienceCompileError extends Error {}

/**
 * The one compiler from the rule AST (validated by core's `audienceRuleSchema`, which bounds its depth
 * and size) to SQL, for SQLite and PostgreSQL alike. Its meaning is core's `evaluateRule`; the
 * property tests hold the two equal on generated data.
 */
export function compileRule(rule: AudienceRule, options: CompileOptions): CompiledRule {
  // Without a driver every profile is a candidate: leave the joins to the planner. With one, the
  // other conditions are probes per candidate (compiled a second time, fenced).
  const loose = compileWith(rule, options, unfenced(dialectFor(options.dialect)));
  return loose.driver ? compileWith(rule, options, dialectFor(options.dialect)) : loose;
}

function compileWith(rule: AudienceRule, options: CompileOptions, d: SqlDialect): CompiledRule {
  const c = new Compiler(d, options);
  if (rule.kind !== 'and') return { where: c.condition(rule) };
  const children = flattenAnd(rule.children);
  const compiled = children.map((child) => (isConditionGroup(child) ? { cond: c.condition(child), rank: DRIVER_RANK.none } : c.leaf(child)));
  let best = -1;
  compiled.forEach((leaf, i) => {
    if (leaf.driver && (best < 0 || leaf.rank < compiled[best]!.rank)) best = i;
  });
  if (best < 0) return { where: and(compiled.map((x) => x.cond)) };
  return { where: and(compiled.filter((_, i) => i !== best).map((x) => x.cond)), driver: compiled[best]!.driver! };
}

/** AND inside AND is the same AND: lifting nested ones lets any of their leaves drive. */
function flattenAnd(children: readonly AudienceCondition[]): AudienceCondition[] {
  return children.flatMap((child) => (child.kind === 'and' ? flattenAnd(child.children) : [child]));
}

class Compiler {
  private readonly inlining: string[] = [];

  constructor(
    private readonly d: SqlDialect,
    private readonly options: CompileOptions,
  ) {}

  condition(node: AudienceCondition): Cond {
    if (isConditionGroup(node)) return (node.kind === 'and' ? and : or)(node.children.map((child) => this.condition(child)));
    return this.leaf(node).cond;
  }

  leaf(node: AudienceLeaf): LeafSql {
    switch (node.kind) {
      case 'attribute':
      case 'tag':
        return typedValueSql(this.d, node, this.options.now);
      case 'event':
        return eventSql(this.d, node, this.options.now);
      case 'segment':
        return this.segment(node);
      case 'identity':
        return identitySql(node);
    }
  }

  private segment(node: SegmentCondition): LeafSql {
    const source = this.options.segments?.get(node.segmentId);
    if (source?.kind === 'live') {
      if (this.inlining.includes(node.segmentId)) throw new AudienceCompileError(`segment ${node.segmentId} refers to itself through ${this.inlining.join(' → ')}`);
      if (this.inlining.length >= MAX_SEGMENT_NESTING) throw new AudienceCompileError(`realtime segments nest more than ${MAX_SEGMENT_NESTING} deep`);
      this.inlining.push(node.segmentId);
      try {
        // The same profile `p`: membership of a live segment is its rule, for a profile of its subject.
        const inside = and([sql`p.subject_type = ${source.subjectType}`, this.condition(source.rule)]);
        return { cond: node.member ? inside : not(inside), rank: DRIVER_RANK.none };
      } finally {
        this.inlining.pop();
      }
    }
    // The segment's current member set (an unknown segment has none: the subquery gives NULL).
    const set = sql`(SELECT s.members_key FROM segments s WHERE s.id = ${node.segmentId})`;
    const member: Cond = sql`EXISTS (SELECT 1 FROM segment_members sm WHERE sm.segment_id = ${set} AND sm.profile_id = p.id${this.d.fence})`;
    if (!node.member) return { cond: not(member), rank: DRIVER_RANK.none };
    return {
      cond: member,
      driver: sql`SELECT DISTINCT sm.profile_id FROM segment_members sm WHERE sm.segment_id = ${set} AND sm.profile_id IS NOT NULL`,
      rank: DRIVER_RANK.segment,
    };
  }
}

/** The evaluator counts an identity only when its value is not empty. */
function identitySql(node: IdentityCondition): LeafSql {
  const has: Cond = sql`EXISTS (SELECT 1 FROM identities i WHERE i.profile_id = p.id AND i.type = ${node.type} AND i.value <> '')`;
  if (!node.has) return { cond: not(has), rank: DRIVER_RANK.none };
  return { cond: has, driver: sql`SELECT DISTINCT i.profile_id FROM identities i WHERE i.type = ${node.type} AND i.value <> ''`, rank: DRIVER_RANK.presence };
}
