import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { AutoComplete, Button, Input, InputNumber, Select, Space } from 'antd';
import type { PropertyFilter } from '@wareach/core';
import { useT } from '../../i18n/i18n';

export type LooseFilter = { property?: string; op: PropertyFilter['op']; value?: unknown };

const OPS: PropertyFilter['op'][] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in', 'contains', 'exists', 'not_exists'];

/** Coerces what was typed to the property's type, so `2` filters a number property as a number. */
export function coerce(raw: string, type: string | undefined): string | number | boolean {
  if (type === 'number' && raw.trim() !== '' && !Number.isNaN(Number(raw))) return Number(raw);
  if (type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

export function PropertyFiltersEditor({ value, onChange, properties, idPrefix }: {
  value: LooseFilter[];
  onChange(next: LooseFilter[]): void;
  properties: { name: string; type: string }[];
  idPrefix: string;
}) {
  const t = useT();
  const set = (i: number, f: LooseFilter) => onChange(value.map((x, j) => (j === i ? f : x)));
  return (
    <Space orientation="vertical" size={4} style={{ width: '100%' }}>
      {value.map((f, i) => {
        const type = properties.find((p) => p.name === f.property)?.type;
        const list = f.op === 'in' || f.op === 'not_in';
        return (
          <Space key={i} wrap size={4}>
            <AutoComplete
              style={{ width: 160 }}
              value={f.property}
              placeholder={t('rule.property')}
              aria-label={t('rule.property')}
              id={`${idPrefix}-${i}-property`}
              options={properties.map((p) => ({ value: p.name, label: `${p.name} (${p.type})` }))}
              onChange={(v: string) => set(i, { ...f, property: v })}
            />
            <Select style={{ width: 130 }} value={f.op} aria-label={t('rule.operator')} options={OPS.map((o) => ({ value: o, label: t(`op.${o}`) }))} onChange={(op) => set(i, { property: f.property, op })} />
            {f.op === 'exists' || f.op === 'not_exists' ? null : list ? (
              <Select mode="tags" style={{ minWidth: 180 }} aria-label={t('common.value')} value={((f.value as (string | number)[] | undefined) ?? []).map(String)} onChange={(v: string[]) => set(i, { ...f, value: v.map((x) => coerce(x, type)) })} tokenSeparators={[',']} />
            ) : ['gt', 'gte', 'lt', 'lte'].includes(f.op) ? (
              <InputNumber aria-label={t('common.value')} value={f.value as number | undefined} onChange={(v) => set(i, { ...f, value: v ?? undefined })} />
            ) : (
              <Input style={{ width: 160 }} aria-label={t('common.value')} value={f.value === undefined ? '' : String(f.value)} onChange={(e) => set(i, { ...f, value: coerce(e.target.value, type) })} />
            )}
            <Button icon={<DeleteOutlined />} aria-label={t('common.remove')} onClick={() => onChange(value.filter((_, j) => j !== i))} />
          </Space>
        );
      })}
      <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={() => onChange([...value, { op: 'eq' }])}>
        {t('rule.addFilter')}
      </Button>
    </Space>
  );
}
