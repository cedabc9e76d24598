/**
 * The message content editor for the eight content types (SPEC step 5), writing the core content
 * model, with errors by path (`delivery.content.…`) shown beside each field.
 */
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, Select, Space, Switch, Typography } from 'antd';
import { MESSAGE_LIMITS, parseTemplateSlots } from '@wareach/core';
import type { TemplateDefinition } from '@wareach/core';
import type { TemplateRow } from '../../../api/channels';
import { useT } from '../../../i18n/i18n';
import type { MessageKey } from '../../../i18n/messages';
import { Field } from './field';
import type { Obj } from './wizard-model';
import type { PathErrors } from './wizard-validation';

export const CONTENT_TYPES = ['template', 'text', 'image', 'video', 'document', 'cta_url', 'list', 'buttons'] as const;

export function blankContent(type: string): Obj {
  switch (type) {
    case 'template':
      return { type, bindings: {} };
    case 'text':
      return { type, body: '' };
    case 'image':
    case 'video':
    case 'document':
      return { type, link: '' };
    case 'cta_url':
      return { type, body: '', displayText: '', url: '' };
    case 'list':
      return { type, body: '', button: '', sections: [{ title: '', rows: [{ id: 'row-1', title: '' }] }] };
    default:
      return { type: 'buttons', body: '', buttons: [{ id: 'btn-1', title: '' }] };
  }
}

interface Props {
  content: Obj;
  set(path: string, value: unknown): void;
  errors: PathErrors;
  templates: TemplateRow[];
}

const P = 'delivery.content';

function TextArea({ path, value, set, max, label, errors, required, rows = 4 }: { path: string; value: unknown; set(p: string, v: unknown): void; max: number; label: string; errors: PathErrors; required?: boolean; rows?: number }) {
  return (
    <Field label={label} path={`${P}.${path}`} errors={errors} required={required}>
      <Input.TextArea id={`${P}.${path}`} value={(value as string) ?? ''} rows={rows} showCount maxLength={max} onChange={(e) => set(`${P}.${path}`, e.target.value)} />
    </Field>
  );
}

function Line({ path, value, set, max, label, errors, required, placeholder }: { path: string; value: unknown; set(p: string, v: unknown): void; max?: number; label: string; errors: PathErrors; required?: boolean; placeholder?: string }) {
  return (
    <Field label={label} path={`${P}.${path}`} errors={errors} required={required}>
      <Input id={`${P}.${path}`} value={(value as string) ?? ''} showCount={!!max} maxLength={max} placeholder={placeholder} onChange={(e) => set(`${P}.${path}`, e.target.value || undefined)} />
    </Field>
  );
}

function HeaderEditor({ content, set, errors, textOnly }: Props & { textOnly?: boolean }) {
  const t = useT();
  const h = content.header as Obj | undefined;
  const kinds = textOnly ? ['text'] : ['text', 'image', 'video', 'document'];
  return (
    <Form.Item label={t('content.header')}>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Select style={{ width: 200 }} allowClear placeholder={t('common.none')} aria-label={t('content.header')} value={h?.type as string | undefined} options={kinds.map((k) => ({ value: k, label: t(`content.type.${k}` as MessageKey) }))} onChange={(k?: string) => set(`${P}.header`, k ? (k === 'text' ? { type: k, text: '' } : { type: k, link: '' }) : undefined)} />
        {h?.type === 'text' && <Line path="header.text" value={h.text} set={set} max={MESSAGE_LIMITS.headerText} label={t('content.headerText')} errors={errors} required />}
        {h && h.type !== 'text' && <Line path="header.link" value={h.link} set={set} label={t('content.mediaLink')} errors={errors} required placeholder="https://…" />}
      </Space>
    </Form.Item>
  );
}

function TemplateEditor({ content, set, errors, templates }: Props) {
  const t = useT();
  const approved = templates.filter((x) => x.status.toUpperCase() === 'APPROVED');
  const tpl = content.template as Obj | undefined;
  const chosen = approved.find((x) => x.name === tpl?.name && x.language === tpl?.language);
  let slots: ReturnType<typeof parseTemplateSlots> = [];
  try {
    if (tpl) slots = parseTemplateSlots((tpl as unknown as TemplateDefinition).components, (tpl as unknown as TemplateDefinition).parameterFormat);
  } catch {
    slots = [];
  }
  const bindings = (content.bindings as Record<string, Obj> | undefined) ?? {};
  return (
    <>
      <Field label={t('content.template')} path={`${P}.template`} errors={errors} required extra={approved.length === 0 ? t('content.noApprovedTemplates') : undefined}>
        <Select
          id={`${P}.template`}
          showSearch={{ optionFilterProp: 'label' }}
          value={chosen?.id}
          placeholder={t('content.pickTemplate')}
          options={approved.map((x) => ({ value: x.id, label: `${x.name} (${x.language}, ${x.category})` }))}
          onChange={(id: string) => {
            const x = approved.find((y) => y.id === id);
            if (x) set(P, { type: 'template', template: (x.definition as Obj | undefined) ?? { name: x.name, language: x.language, category: x.category, components: x.components, ...(x.parameterFormat ? { parameterFormat: x.parameterFormat } : {}) }, bindings: {} });
          }}
        />
      </Field>
      {slots.map((slot) => {
        const b = bindings[slot.key] ?? {};
        const path = `${P}.bindings.${slot.key}`;
        const isMedia = slot.kind === 'header_media';
        return (
          <Field key={slot.key} label={`${t('content.variable')} ${slot.key}`} path={path} errors={errors} required>
            {isMedia ? (
              <Input id={path} placeholder="https://…" value={(b.link as string) ?? ''} onChange={(e) => set(`${P}.bindings`, { ...bindings, [slot.key]: { kind: 'media', link: e.target.value } })} />
            ) : (
              <Space.Compact style={{ width: '100%' }}>
                <Select id={path} style={{ width: 130 }} aria-label={t('content.bindKind')} value={(b.kind as string) ?? undefined} placeholder={t('content.bindKind')} options={['constant', 'attribute', 'tag', 'id', 'phone'].map((k) => ({ value: k, label: t(`bind.${k}` as MessageKey) }))} onChange={(k: string) => set(`${P}.bindings`, { ...bindings, [slot.key]: k === 'constant' ? { kind: k, value: '' } : k === 'attribute' || k === 'tag' ? { kind: k, name: '' } : { kind: k } })} />
                {b.kind === 'constant' && <Input id={`${path}.value`} aria-label={t('common.value')} value={(b.value as string) ?? ''} onChange={(e) => set(`${P}.bindings`, { ...bindings, [slot.key]: { ...b, value: e.target.value } })} />}
                {(b.kind === 'attribute' || b.kind === 'tag') && (
                  <>
                    <Input id={`${path}.name`} aria-label={t('common.name')} placeholder={t('common.name')} value={(b.name as string) ?? ''} onChange={(e) => set(`${P}.bindings`, { ...bindings, [slot.key]: { ...b, name: e.target.value } })} />
                    <Input id={`${path}.default`} aria-label={t('content.default')} placeholder={t('content.default')} value={(b.default as string) ?? ''} onChange={(e) => set(`${P}.bindings`, { ...bindings, [slot.key]: { ...b, default: e.target.value || undefined } })} />
                  </>
                )}
              </Space.Compact>
            )}
          </Field>
        );
      })}
    </>
  );
}

export function ContentEditor(props: Props) {
  const t = useT();
  const { content, set, errors } = props;
  const type = content.type as string;
  const rows = ((content.sections as Obj[] | undefined) ?? []).reduce((n, s) => n + ((s.rows as Obj[] | undefined)?.length ?? 0), 0);
  return (
    <Form layout="vertical" component="div">
      <Field label={t('content.type')} path={`${P}.type`} errors={errors} required>
        <Select id={`${P}.type`} data-testid="content-type" value={type} aria-label={t('content.type')} options={CONTENT_TYPES.map((k) => ({ value: k, label: t(`content.type.${k}` as MessageKey) }))} onChange={(k: string) => set(P, blankContent(k))} />
      </Field>
      {type === 'template' && <TemplateEditor {...props} />}
      {type === 'text' && (
        <>
          <TextArea path="body" value={content.body} set={set} max={MESSAGE_LIMITS.textBody} label={t('content.body')} errors={errors} required rows={6} />
          <Form.Item label={t('content.previewUrl')}>
            <Switch checked={content.previewUrl === true} onChange={(v) => set(`${P}.previewUrl`, v || undefined)} aria-label={t('content.previewUrl')} />
          </Form.Item>
        </>
      )}
      {(type === 'image' || type === 'video' || type === 'document') && (
        <>
          <Line path="link" value={content.link} set={set} label={t('content.mediaLink')} errors={errors} required placeholder="https://…" />
          {type === 'document' && <Line path="filename" value={content.filename} set={set} label={t('content.filename')} errors={errors} />}
          <TextArea path="caption" value={content.caption} set={(p, v) => set(p, v || undefined)} max={MESSAGE_LIMITS.caption} label={t('content.caption')} errors={errors} rows={3} />
        </>
      )}
      {(type === 'cta_url' || type === 'buttons' || type === 'list') && <HeaderEditor {...props} textOnly={type === 'list'} />}
      {(type === 'cta_url' || type === 'buttons' || type === 'list') && (
        <TextArea path="body" value={content.body} set={set} max={type === 'list' ? MESSAGE_LIMITS.listBody : MESSAGE_LIMITS.interactiveBody} label={t('content.body')} errors={errors} required />
      )}
      {(type === 'cta_url' || type === 'buttons' || type === 'list') && <Line path="footer" value={content.footer} set={set} max={MESSAGE_LIMITS.footer} label={t('content.footer')} errors={errors} />}
      {type === 'cta_url' && (
        <>
          <Line path="displayText" value={content.displayText} set={set} max={MESSAGE_LIMITS.ctaDisplayText} label={t('content.buttonText')} errors={errors} required />
          <Line path="url" value={content.url} set={set} label={t('content.url')} errors={errors} required placeholder="https://…" />
        </>
      )}
      {type === 'buttons' && (
        <Field label={t('content.buttons')} path={`${P}.buttons`} errors={errors} required extra={t('content.buttonsHelp', { n: MESSAGE_LIMITS.replyButtons })}>
          <Space orientation="vertical" style={{ width: '100%' }}>
            {((content.buttons as Obj[] | undefined) ?? []).map((b, i) => (
              <Space key={i} align="start">
                <Line path={`buttons.${i}.title`} value={b.title} set={(p, v) => set(p, v ?? '')} max={MESSAGE_LIMITS.replyButtonTitle} label={`${t('content.buttonTitle')} ${i + 1}`} errors={errors} required />
                <Line path={`buttons.${i}.id`} value={b.id} set={(p, v) => set(p, v ?? '')} label={t('content.buttonId')} errors={errors} required />
                <Button style={{ marginTop: 30 }} icon={<DeleteOutlined />} aria-label={t('common.remove')} onClick={() => set(`${P}.buttons`, (content.buttons as Obj[]).filter((_, j) => j !== i))} />
              </Space>
            ))}
            <Button type="dashed" icon={<PlusOutlined />} disabled={((content.buttons as Obj[] | undefined)?.length ?? 0) >= MESSAGE_LIMITS.replyButtons} onClick={() => set(`${P}.buttons`, [...((content.buttons as Obj[] | undefined) ?? []), { id: `btn-${((content.buttons as Obj[] | undefined)?.length ?? 0) + 1}`, title: '' }])}>
              {t('content.addButton')}
            </Button>
          </Space>
        </Field>
      )}
      {type === 'list' && (
        <>
          <Line path="button" value={content.button} set={set} max={MESSAGE_LIMITS.listButton} label={t('content.listButton')} errors={errors} required />
          <Field label={t('content.sections')} path={`${P}.sections`} errors={errors} required extra={t('content.sectionsHelp', { sections: MESSAGE_LIMITS.sections, rows: MESSAGE_LIMITS.rowsTotal })}>
            <Space orientation="vertical" style={{ width: '100%' }}>
              {((content.sections as Obj[] | undefined) ?? []).map((s, si) => (
                <Card key={si} size="small" title={`${t('content.section')} ${si + 1}`} extra={<Button size="small" icon={<DeleteOutlined />} aria-label={t('common.remove')} onClick={() => set(`${P}.sections`, (content.sections as Obj[]).filter((_, j) => j !== si))} />}>
                  <Line path={`sections.${si}.title`} value={s.title} set={(p, v) => set(p, v ?? '')} max={MESSAGE_LIMITS.sectionTitle} label={t('content.sectionTitle')} errors={errors} required />
                  {((s.rows as Obj[] | undefined) ?? []).map((r, ri) => (
                    <Space key={ri} align="start" wrap>
                      <Line path={`sections.${si}.rows.${ri}.title`} value={r.title} set={(p, v) => set(p, v ?? '')} max={MESSAGE_LIMITS.rowTitle} label={`${t('content.rowTitle')} ${ri + 1}`} errors={errors} required />
                      <Line path={`sections.${si}.rows.${ri}.description`} value={r.description} set={set} max={MESSAGE_LIMITS.rowDescription} label={t('content.rowDescription')} errors={errors} />
                      <Line path={`sections.${si}.rows.${ri}.id`} value={r.id} set={(p, v) => set(p, v ?? '')} label={t('content.rowId')} errors={errors} required />
                      <Button style={{ marginTop: 30 }} icon={<DeleteOutlined />} aria-label={t('common.remove')} onClick={() => set(`${P}.sections.${si}.rows`, (s.rows as Obj[]).filter((_, j) => j !== ri))} />
                    </Space>
                  ))}
                  <Button size="small" type="dashed" icon={<PlusOutlined />} disabled={rows >= MESSAGE_LIMITS.rowsTotal} onClick={() => set(`${P}.sections.${si}.rows`, [...((s.rows as Obj[] | undefined) ?? []), { id: `row-${rows + 1}`, title: '' }])}>
                    {t('content.addRow')}
                  </Button>
                </Card>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} disabled={((content.sections as Obj[] | undefined)?.length ?? 0) >= MESSAGE_LIMITS.sections || rows >= MESSAGE_LIMITS.rowsTotal} onClick={() => set(`${P}.sections`, [...((content.sections as Obj[] | undefined) ?? []), { title: '', rows: [{ id: `row-${rows + 1}`, title: '' }] }])}>
                {t('content.addSection')}
              </Button>
            </Space>
          </Field>
        </>
      )}
      {type !== 'template' && <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>{t('content.placeholdersHelp')}</Typography.Paragraph>}
    </Form>
  );
}
