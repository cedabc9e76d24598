/**
 * The audience rule builder (SPEC step 3, mode 1): AND/OR groups of attribute, tag, segment, event and
 * identity conditions, producing the core audience AST (`audience/rule-schema.ts`). Names and types are
 * offered from the catalogue; errors from `parseAudienceRule` (or the server) are shown by path.
 */
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { AutoComplete, Button, Card, DatePicker, Dropdown, InputNumber, Input, Radio, Select, Space, Typography } from 'antd';
import type { CSSProperties } from 'react';
import { useSession } from '../../auth/session';
import { useT } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages';
import { dayjs, wallTimeToUtc } from '../../lib/time';
import { PropertyFiltersEditor, type LooseFilter } from './property-filters';

export type Loose = Record<string, unknown> & { kind: string };
export interface LooseGroup { kind: 'and' | 'or'; children: (Loose | LooseGroup)[] }

export interface RuleCatalogue {
  events: { name: string; properties: { name: string; type: string }[] }[];
  attributes: { name: string; type: string }[];
  tags: { name: string; type: string }[];
  segments: { id: string; name: string }[];
}

/** Error messages by dot path relative to the rule root (e.g. `children.0.value`). */
export type PathErrors = Record<string, string>;

const isGroup = (c: Loose | LooseGroup): c is LooseGroup => c.kind === 'and' || c.kind === 'or';

const OPS_BY_TYPE: Record<string, string[]> = {
  string: ['eq', 'ne', 'contains', 'starts_with', 'in', 'not_in', 'exists', 'not_exists'],
  number: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'in', 'exists', 'not_exists'],
  boolean: ['is_true', 'is_false', 'exists', 'not_exists'],
  datetime: ['before', 'after', 'between', 'within_last', 'exists', 'not_exists'],
  string_list: ['contains', 'contains_any', 'contains_all', 'exists', 'not_exists'],
};

export const newLeaf = (kind: string): Loose => {
  switch (kind) {
    case 'event':
      return { kind: 'event', name: '', did: true, filters: [], timeRange: { kind: 'relative', last: 30, unit: 'days' } };
    case 'segment':
      return { kind: 'segment', segmentId: '', member: true };
    case 'identity':
      return { kind: 'identity', type: 'whatsapp', has: true };
    default:
      return { kind, name: '', valueType: 'string', op: 'eq', value: '' };
  }
};

const errorStyle: CSSProperties = { color: '#ff4d4f', fontSize: 12 };

function Err({ errors, path }: { errors: PathErrors; path: string }) {
  const own = Object.entries(errors).filter(([p]) => p === path || (p.startsWith(`${path}.`) && !/\.children\./.test(p.slice(path.length))));
  if (own.length === 0) return null;
  return <div style={errorStyle} role="alert">{own.map(([p, m]) => `${p.slice(path.length + 1) || ''} ${m}`.trim()).join('; ')}</div>;
}

function ValueEditor({ leaf, set }: { leaf: Loose; set(patch: Partial<Loose>): void }) {
  const t = useT();
  const { timezone } = useSession();
  const op = leaf.op as string;
  const type = leaf.valueType as string;
  if (['exists', 'not_exists', 'is_true', 'is_false'].includes(op)) return null;
  if (['in', 'not_in', 'contains_any', 'contains_all'].includes(op)) {
    const v = (leaf.value as (string | number)[] | undefined) ?? [];
    return <Select mode="tags" style={{ minWidth: 200 }} aria-label={t('common.value')} value={v.map(String)} tokenSeparators={[',']} onChange={(vals: string[]) => set({ value: type === 'number' ? vals.map(Number).filter((n) => !Number.isNaN(n)) : vals })} />;
  }
  if (op === 'within_last') {
    const d = (leaf.value as { amount?: number; unit?: string } | undefined) ?? {};
    return (
      <Space size={4}>
        <InputNumber min={1} aria-label={t('rule.amount')} value={d.amount} onChange={(n) => set({ value: { ...d, amount: n ?? undefined } })} />
        <Select style={{ width: 100 }} aria-label={t('rule.unit')} value={d.unit ?? 'days'} options={['minutes', 'hours', 'days'].map((u) => ({ value: u, label: t(`unit.${u}` as MessageKey) }))} onChange={(unit) => set({ value: { ...d, unit } })} />
      </Space>
    );
  }
  if (type === 'datetime') {
    const toIso = (d: dayjs.Dayjs | null) => (d ? wallTimeToUtc(d, timezone) : undefined);
    if (op === 'between') {
      const v = (leaf.value as [string, string] | undefined) ?? [];
      return <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" value={[v[0] ? dayjs(v[0]).tz(timezone) : null, v[1] ? dayjs(v[1]).tz(timezone) : null]} onChange={(r) => set({ value: [toIso(r?.[0] ?? null), toIso(r?.[1] ?? null)] })} />;
    }
    return <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" aria-label={t('common.value')} value={leaf.value ? dayjs(leaf.value as string).tz(timezone) : null} onChange={(d) => set({ value: toIso(d) })} />;
  }
  if (type === 'number') {
    if (op === 'between') {
      const v = (leaf.value as [number, number] | undefined) ?? [];
      return (
        <Space size={4}>
          <InputNumber aria-label={t('rule.from')} value={v[0]} onChange={(n) => set({ value: [n ?? undefined, v[1]] })} />–
          <InputNumber aria-label={t('rule.to')} value={v[1]} onChange={(n) => set({ value: [v[0], n ?? undefined] })} />
        </Space>
      );
    }
    return <InputNumber aria-label={t('common.value')} value={leaf.value as number | undefined} onChange={(n) => set({ value: n ?? undefined })} />;
  }
  return <Input style={{ width: 180 }} aria-label={t('common.value')} value={(leaf.value as string | undefined) ?? ''} onChange={(e) => set({ value: e.target.value })} />;
}

function defaultValueFor(op: string, type: string): unknown {
  if (['exists', 'not_exists', 'is_true', 'is_false'].includes(op)) return undefined;
  if (['in', 'not_in', 'contains_any', 'contains_all'].includes(op)) return [];
  if (op === 'within_last') return { amount: 7, unit: 'days' };
  if (op === 'between') return [];
  return type === 'number' ? undefined : type === 'datetime' ? undefined : '';
}

function TypedLeaf({ leaf, set, cat }: { leaf: Loose; set(patch: Partial<Loose>): void; cat: RuleCatalogue }) {
  const t = useT();
  const names = leaf.kind === 'tag' ? cat.tags : cat.attributes;
  const type = leaf.valueType as string;
  const ops = leaf.kind === 'tag' ? OPS_BY_TYPE[type === 'string_list' ? 'string' : type] : OPS_BY_TYPE[type];
  const rebuild = (patch: Partial<Loose>) => {
    const next = { ...leaf, ...patch } as Loose;
    const value = defaultValueFor(next.op as string, next.valueType as string);
    const { value: _drop, ...rest } = next;
    set(value === undefined ? { ...rest, value: undefined } : { ...rest, value });
  };
  return (
    <Space wrap size={4}>
      <AutoComplete
        style={{ width: 180 }}
        value={leaf.name as string}
        placeholder={t(leaf.kind === 'tag' ? 'rule.tagName' : 'rule.attributeName')}
        aria-label={t(leaf.kind === 'tag' ? 'rule.tagName' : 'rule.attributeName')}
        options={names.map((n) => ({ value: n.name, label: `${n.name} (${n.type})` }))}
        onChange={(name: string) => {
          const found = names.find((n) => n.name === name);
          if (found && found.type !== type && OPS_BY_TYPE[found.type]) rebuild({ name, valueType: found.type, op: OPS_BY_TYPE[found.type]![0] });
          else set({ name });
        }}
      />
      <Select style={{ width: 110 }} aria-label={t('rule.valueType')} value={type} options={Object.keys(OPS_BY_TYPE).filter((k) => leaf.kind === 'attribute' || k !== 'string_list').map((k) => ({ value: k, label: t(`type.${k}` as MessageKey) }))} onChange={(vt: string) => rebuild({ valueType: vt, op: OPS_BY_TYPE[vt]![0] })} />
      <Select style={{ width: 140 }} aria-label={t('rule.operator')} value={leaf.op as string} options={(ops ?? []).map((o) => ({ value: o, label: t(`op.${o}` as MessageKey) }))} onChange={(op: string) => rebuild({ op })} />
      <ValueEditor leaf={leaf} set={set} />
    </Space>
  );
}

function EventLeaf({ leaf, set, cat, path }: { leaf: Loose; set(patch: Partial<Loose>): void; cat: RuleCatalogue; path: string }) {
  const t = useT();
  const { timezone } = useSession();
  const range = (leaf.timeRange as Record<string, unknown> | undefined) ?? { kind: 'relative', last: 30, unit: 'days' };
  const count = leaf.count as { op: string; value: number } | undefined;
  const props = cat.events.find((e) => e.name === leaf.name)?.properties ?? [];
  return (
    <Space orientation="vertical" size={4} style={{ width: '100%' }}>
      <Space wrap size={4}>
        <Radio.Group optionType="button" size="small" value={leaf.did ? 'did' : 'not'} onChange={(e) => set(e.target.value === 'did' ? { did: true } : { did: false, count: undefined })} options={[{ value: 'did', label: t('rule.did') }, { value: 'not', label: t('rule.didNot') }]} />
        <AutoComplete style={{ width: 200 }} value={leaf.name as string} placeholder={t('rule.eventName')} aria-label={t('rule.eventName')} options={cat.events.map((e) => ({ value: e.name }))} onChange={(name: string) => set({ name })} />
        <Select
          style={{ width: 130 }}
          aria-label={t('rule.timeRange')}
          value={range.kind as string}
          options={[{ value: 'relative', label: t('rule.relative') }, { value: 'absolute', label: t('rule.absolute') }]}
          onChange={(k: string) => set({ timeRange: k === 'relative' ? { kind: 'relative', last: 30, unit: 'days' } : { kind: 'absolute' } })}
        />
        {range.kind === 'relative' ? (
          <Space size={4}>
            <span>{t('rule.inLast')}</span>
            <InputNumber min={1} aria-label={t('rule.amount')} value={range.last as number} onChange={(n) => set({ timeRange: { ...range, last: n ?? undefined } })} />
            <Select style={{ width: 90 }} aria-label={t('rule.unit')} value={range.unit as string} options={['minutes', 'hours', 'days'].map((u) => ({ value: u, label: t(`unit.${u}` as MessageKey) }))} onChange={(unit) => set({ timeRange: { ...range, unit } })} />
          </Space>
        ) : (
          <DatePicker.RangePicker
            showTime={{ format: 'HH:mm' }}
            format="YYYY-MM-DD HH:mm"
            value={[range.start ? dayjs(range.start as string).tz(timezone) : null, range.end ? dayjs(range.end as string).tz(timezone) : null]}
            onChange={(r) => set({ timeRange: { kind: 'absolute', start: r?.[0] ? wallTimeToUtc(r[0], timezone) : undefined, end: r?.[1] ? wallTimeToUtc(r[1], timezone) : undefined } })}
          />
        )}
        {leaf.did === true && (
          <Space size={4}>
            <span>{t('rule.count')}</span>
            <Select style={{ width: 90 }} aria-label={t('rule.countOp')} allowClear value={count?.op} placeholder={t('rule.any')} options={['gte', 'gt', 'eq', 'lte', 'lt'].map((o) => ({ value: o, label: t(`op.${o}` as MessageKey) }))} onChange={(op?: string) => set({ count: op ? { op, value: count?.value ?? 1 } : undefined })} />
            {count && <InputNumber min={0} aria-label={t('rule.countValue')} value={count.value} onChange={(n) => set({ count: { ...count, value: n ?? 0 } })} />}
            {count && <span>{t('rule.times')}</span>}
          </Space>
        )}
      </Space>
      <PropertyFiltersEditor idPrefix={`${path}-filters`} value={(leaf.filters as LooseFilter[] | undefined) ?? []} properties={props} onChange={(filters) => set({ filters })} />
    </Space>
  );
}

function LeafEditor({ leaf, set, cat, path }: { leaf: Loose; set(patch: Partial<Loose>): void; cat: RuleCatalogue; path: string }) {
  const t = useT();
  switch (leaf.kind) {
    case 'attribute':
    case 'tag':
      return <TypedLeaf leaf={leaf} set={set} cat={cat} />;
    case 'segment':
      return (
        <Space size={4}>
          <Select style={{ width: 110 }} aria-label={t('rule.membership')} value={leaf.member ? 'in' : 'out'} options={[{ value: 'in', label: t('rule.inSegment') }, { value: 'out', label: t('rule.notInSegment') }]} onChange={(v) => set({ member: v === 'in' })} />
          <Select style={{ width: 240 }} showSearch={{ optionFilterProp: 'label' }} aria-label={t('rule.segment')} placeholder={t('rule.segment')} value={(leaf.segmentId as string) || undefined} options={cat.segments.map((s) => ({ value: s.id, label: s.name }))} onChange={(segmentId) => set({ segmentId })} />
        </Space>
      );
    case 'identity':
      return (
        <Space size={4}>
          <Select style={{ width: 110 }} aria-label={t('rule.has')} value={leaf.has ? 'has' : 'not'} options={[{ value: 'has', label: t('rule.hasIdentity') }, { value: 'not', label: t('rule.hasNoIdentity') }]} onChange={(v) => set({ has: v === 'has' })} />
          <AutoComplete style={{ width: 160 }} aria-label={t('rule.identityType')} value={leaf.type as string} options={['whatsapp', 'email', 'external_id'].map((v) => ({ value: v }))} onChange={(type: string) => set({ type })} />
        </Space>
      );
    default:
      return <EventLeaf leaf={leaf} set={set} cat={cat} path={path} />;
  }
}

const KIND_LABEL: Record<string, MessageKey> = { attribute: 'rule.kind.attribute', tag: 'rule.kind.tag', segment: 'rule.kind.segment', event: 'rule.kind.event', identity: 'rule.kind.identity' };

function GroupEditor({ group, onChange, onRemove, cat, errors, path, depth }: {
  group: LooseGroup;
  onChange(g: LooseGroup): void;
  onRemove?: () => void;
  cat: RuleCatalogue;
  errors: PathErrors;
  path: string;
  depth: number;
}) {
  const t = useT();
  const setChild = (i: number, c: Loose | LooseGroup) => onChange({ ...group, children: group.children.map((x, j) => (j === i ? c : x)) });
  const add = (kind: string) => onChange({ ...group, children: [...group.children, kind === 'group' ? { kind: group.kind === 'and' ? 'or' : 'and', children: [newLeaf('attribute')] } : newLeaf(kind)] });
  const p = (i: number) => (path ? `${path}.children.${i}` : `children.${i}`);
  return (
    <Card size="small" style={{ background: depth % 2 ? '#fafafa' : '#fff', borderLeft: `3px solid ${group.kind === 'and' ? '#128C7E' : '#fa8c16'}` }}>
      <Space style={{ marginBottom: 8 }}>
        <Radio.Group optionType="button" buttonStyle="solid" size="small" value={group.kind} onChange={(e) => onChange({ ...group, kind: e.target.value as 'and' | 'or' })} options={[{ value: 'and', label: t('rule.and') }, { value: 'or', label: t('rule.or') }]} aria-label={t('rule.combine')} />
        <Typography.Text type="secondary">{t(group.kind === 'and' ? 'rule.allOf' : 'rule.anyOf')}</Typography.Text>
        {onRemove && <Button size="small" icon={<DeleteOutlined />} onClick={onRemove} aria-label={t('rule.removeGroup')} />}
      </Space>
      <Err errors={errors} path={path || ''} />
      {depth === 1 && group.children.length === 0 && <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>{t('rule.empty')}</Typography.Paragraph>}
      <Space orientation="vertical" style={{ width: '100%' }} size={6}>
        {group.children.map((c, i) =>
          isGroup(c) ? (
            <GroupEditor key={i} group={c} depth={depth + 1} cat={cat} errors={errors} path={p(i)} onChange={(g) => setChild(i, g)} onRemove={() => onChange({ ...group, children: group.children.filter((_, j) => j !== i) })} />
          ) : (
            <div key={i} style={{ display: 'flex', gap: 8, alignItems: 'flex-start', padding: 6, border: '1px solid #f0f0f0', borderRadius: 6 }} data-testid="rule-leaf">
              <Select style={{ width: 110 }} aria-label={t('rule.conditionKind')} value={c.kind} options={Object.entries(KIND_LABEL).map(([k, l]) => ({ value: k, label: t(l) }))} onChange={(k: string) => setChild(i, newLeaf(k))} />
              <div style={{ flex: 1 }}>
                <LeafEditor leaf={c} cat={cat} path={p(i)} set={(patch) => setChild(i, { ...c, ...patch } as Loose)} />
                <Err errors={errors} path={p(i)} />
              </div>
              <Button icon={<DeleteOutlined />} aria-label={t('common.remove')} onClick={() => onChange({ ...group, children: group.children.filter((_, j) => j !== i) })} />
            </div>
          ),
        )}
      </Space>
      {/* A line of its own: in an empty group the button would otherwise sit on the header's line. */}
      <div style={{ marginTop: 8 }}>
        <Dropdown
          trigger={['click']}
          menu={{
            items: [...Object.entries(KIND_LABEL).map(([k, l]) => ({ key: k, label: t(l) })), ...(depth < 5 ? [{ key: 'group', label: t('rule.addGroup') }] : [])],
            onClick: (e) => add(e.key),
          }}
        >
          <Button size="small" type="dashed" icon={<PlusOutlined />}>
            {t('rule.addCondition')}
          </Button>
        </Dropdown>
      </div>
    </Card>
  );
}

/** Strips editing leftovers (undefined values) so the rule sent is exactly the AST. */
export function cleanRule(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cleanRule);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, cleanRule(v)]));
  }
  return value;
}

export function RuleBuilder({ value, onChange, catalogue, errors = {} }: { value: LooseGroup; onChange(v: LooseGroup): void; catalogue: RuleCatalogue; errors?: PathErrors }) {
  return <GroupEditor group={value} onChange={onChange} cat={catalogue} errors={errors} path="" depth={1} />;
}
