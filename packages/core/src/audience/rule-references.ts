import { isConditionGroup, type AudienceCondition, type AudienceLeaf } from './rule-schema';

/** What a rule reads, each list sorted and without duplicates. */
export interface RuleReferences {
  attributes: string[];
  tags: string[];
  events: string[];
  segments: string[];
  identityTypes: string[];
  /**
   * True when the result can change with time alone, with no new data: the rule has a relative event
   * range or a `within_last` condition. A realtime segment with such a rule must also be refreshed on
   * a clock, not only when events or profiles change.
   */
  timeDependent: boolean;
}

function leaves(condition: AudienceCondition, out: AudienceLeaf[] = []): AudienceLeaf[] {
  if (isConditionGroup(condition)) condition.children.forEach((c) => leaves(c, out));
  else out.push(condition);
  return out;
}

const sorted = (s: Set<string>): string[] => [...s].sort();

export function ruleReferences(rule: AudienceCondition): RuleReferences {
  const attributes = new Set<string>();
  const tags = new Set<string>();
  const events = new Set<string>();
  const segments = new Set<string>();
  const identityTypes = new Set<string>();
  let timeDependent = false;
  for (const leaf of leaves(rule)) {
    switch (leaf.kind) {
      case 'attribute':
      case 'tag':
        (leaf.kind === 'attribute' ? attributes : tags).add(leaf.name);
        if (leaf.valueType === 'datetime' && leaf.op === 'within_last') timeDependent = true;
        break;
      case 'event':
        events.add(leaf.name);
        if (leaf.timeRange.kind === 'relative') timeDependent = true;
        break;
      case 'segment':
        segments.add(leaf.segmentId);
        break;
      case 'identity':
        identityTypes.add(leaf.type);
        break;
    }
  }
  return {
    attributes: sorted(attributes),
    tags: sorted(tags),
    events: sorted(events),
    segments: sorted(segments),
    identityTypes: sorted(identityTypes),
    timeDependent,
  };
}

/** Names of the events a rule reads, sorted: an ingested event of another name cannot change it. */
export const ruleEventNames = (rule: AudienceCondition): string[] => ruleReferences(rule).events;
