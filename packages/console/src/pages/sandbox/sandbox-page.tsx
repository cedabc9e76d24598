/**
 * The sandbox phone: the built-in WhatsApp stand-in's conversations drawn as WhatsApp draws them. A tap
 * on a reply button or list row, or a typed reply, goes to the sandbox inbox API, which sends the
 * matching signed inbound webhook to the server.
 */
import { CheckOutlined } from '@ant-design/icons';
import { Alert, App, Badge, Button, Card, Col, Collapse, Descriptions, Empty, Flex, Input, Listy, Row, Space, Typography } from 'antd';
import type { MessagePreview, PreviewButtonKind } from '@wareach/core';
import { useState } from 'react';
import { api, type Page } from '../../api/client';
import { useSession } from '../../auth/session';
import { PhoneFrame, PhoneMessage } from '../../components/phone-preview';
import { LoadState } from '../../components/page-state';
import { useT } from '../../i18n/i18n';
import { errorText } from '../../lib/errors';
import { dayjs } from '../../lib/time';
import { useLoad } from '../../lib/use-load';

interface RenderModel {
  kind: string;
  header?: { type: 'text'; text: string } | { type: 'media'; media: { type: string; link?: string; url?: string; caption?: string; filename?: string } };
  body?: string;
  footer?: string;
  media?: { type: string; link?: string; url?: string; caption?: string; filename?: string };
  buttons?: { kind: string; index: number; title: string; id?: string; url?: string; payload?: string }[];
  list?: { button: string; sections: { title?: string; rows: { id: string; title: string; description?: string }[] }[] };
  template?: { name: string };
  preview: string;
}

interface ConversationSummary {
  phoneNumberId: string;
  waId: string;
  name: string;
  lastAt: string;
  lastMessage: { preview?: string; direction: string };
  windowOpen: boolean;
}

interface ConversationView extends ConversationSummary {
  messages: { wamid: string; direction: string; type: string; at: string; status?: string; render: RenderModel }[];
}

const BUTTON_KIND: Record<string, PreviewButtonKind> = { reply: 'reply', quick_reply: 'quick_reply', url: 'url', cta_url: 'url', phone_number: 'phone', copy_code: 'copy_code' };

/** The sandbox's render model as the console's preview model. */
export function renderToPreview(r: RenderModel): MessagePreview {
  const media = r.header?.type === 'media' ? r.header.media : r.media;
  const header: MessagePreview['header'] =
    r.header?.type === 'text'
      ? { kind: 'text', text: r.header.text }
      : media
        ? { kind: (['image', 'video', 'document'].includes(media.type) ? media.type : 'image') as 'image', ...(media.link ?? media.url ? { mediaUrl: media.link ?? media.url } : {}), ...(media.filename ? { text: media.filename } : {}) }
        : undefined;
  return {
    type: 'text',
    ...(header ? { header } : {}),
    body: r.body ?? media?.caption ?? (r.kind === 'text' || r.kind.startsWith('interactive') || r.kind === 'template' ? '' : r.preview),
    ...(r.footer ? { footer: r.footer } : {}),
    ...(r.buttons?.length ? { buttons: r.buttons.map((b) => ({ id: b.id ?? b.payload ?? String(b.index), title: b.title, kind: BUTTON_KIND[b.kind] ?? 'other', ...(b.url ? { url: b.url } : {}) })) } : {}),
    ...(r.list ? { list: { button: r.list.button, sections: r.list.sections.map((s) => ({ title: s.title ?? '', rows: s.rows })) } } : {}),
  };
}

function Conversation({ conv, reload }: { conv: ConversationSummary; reload(): void }) {
  const t = useT();
  const { message } = App.useApp();
  const { timezone } = useSession();
  const path = `/api/v1/sandbox/conversations/${encodeURIComponent(conv.phoneNumberId)}/${encodeURIComponent(conv.waId)}`;
  const view = useLoad(() => api.get<ConversationView>(path), [path]);
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  /** Sends one customer action; false when it failed, so a typed reply is kept for another try. */
  const act = async (body: Record<string, unknown>): Promise<boolean> => {
    setSending(true);
    try {
      await api.post(`${path}/actions`, body);
      message.success(t('sandbox.replySent'));
      view.reload();
      reload();
      return true;
    } catch (e) {
      message.error(errorText(e, t));
      return false;
    } finally {
      setSending(false);
    }
  };
  const footer = (
    <div style={{ display: 'flex', gap: 6, padding: 8, background: '#f0f2f5' }}>
      <Input value={text} onChange={(e) => setText(e.target.value)} placeholder={t('sandbox.typeReply')} aria-label={t('sandbox.typeReply')} onPressEnter={() => text.trim() && void act({ type: 'text', body: text.trim() }).then((sent) => sent && setText(''))} />
      <Button type="primary" loading={sending} disabled={!text.trim()} onClick={() => void act({ type: 'text', body: text.trim() }).then((sent) => sent && setText(''))}>{t('sandbox.send')}</Button>
    </div>
  );
  return (
    <LoadState loading={view.loading && !view.data} error={view.error}>
      <PhoneFrame title={`${conv.name} · ${conv.waId}`} footer={footer} height={640}>
        {(view.data?.messages ?? []).map((m) => (
          <PhoneMessage
            key={m.wamid}
            preview={renderToPreview(m.render)}
            outgoing={m.direction === 'inbound'}
            time={dayjs(m.at).tz(timezone).format('HH:mm')}
            status={m.direction === 'outbound' && m.status ? <span title={m.status}>{m.status === 'read' ? <span style={{ color: '#53bdeb' }}><CheckOutlined /><CheckOutlined /></span> : m.status === 'delivered' ? <><CheckOutlined /><CheckOutlined /></> : m.status === 'failed' ? '!' : <CheckOutlined />}</span> : undefined}
            {...(m.direction === 'outbound'
              ? { onReply: (r: { kind: 'button' | 'list'; id: string }) => void act(r.kind === 'list' ? { type: 'list_row', wamid: m.wamid, id: r.id } : m.render.kind === 'template' ? { type: 'quick_reply', wamid: m.wamid, index: Number(m.render.buttons?.find((b) => (b.id ?? b.payload ?? String(b.index)) === r.id)?.index ?? 0) } : { type: 'reply_button', wamid: m.wamid, id: r.id }) }
              : {})}
          />
        ))}
      </PhoneFrame>
    </LoadState>
  );
}

interface SandboxConfig {
  wabas: { id: string; phoneNumbers: { id: string; displayPhoneNumber: string }[] }[];
  accessTokens: string[];
  appSecret: string;
}

/**
 * What a channel needs to talk to this sandbox instead of Meta: the Graph URL, the accounts and the
 * credentials it accepts (the sandbox's own test credentials, shown to members with `sandbox.use`).
 */
function ConnectionDetails() {
  const t = useT();
  const config = useLoad(() => api.get<SandboxConfig>('/api/v1/sandbox/config'), []);
  const c = config.data;
  if (!c) return null;
  const code = (v: string, testId: string) => <Typography.Text code copyable data-testid={testId}>{v}</Typography.Text>;
  return (
    <Collapse
      style={{ marginBottom: 16 }}
      items={[{
        key: 'connect',
        label: t('sandbox.connect'),
        children: (
          <>
            <Typography.Paragraph type="secondary">{t('sandbox.connectHelp')}</Typography.Paragraph>
            <Descriptions size="small" column={1} bordered data-testid="sandbox-connection" items={[
              { key: 'url', label: t('channels.graphBaseUrl'), children: code(`${location.origin}/sandbox/graph`, 'sandbox-graph-url') },
              ...c.wabas.flatMap((w) => [
                { key: w.id, label: t('channels.wabaId'), children: code(w.id, 'sandbox-waba-id') },
                ...w.phoneNumbers.map((p) => ({ key: `${w.id}/${p.id}`, label: t('channels.phoneNumberId'), children: <>{code(p.id, 'sandbox-phone-number-id')} {p.displayPhoneNumber}</> })),
              ]),
              { key: 'token', label: t('channels.accessToken'), children: code(c.accessTokens[0] ?? '', 'sandbox-access-token') },
              { key: 'secret', label: t('channels.appSecret'), children: code(c.appSecret, 'sandbox-app-secret') },
            ]} />
          </>
        ),
      }]}
    />
  );
}

export function SandboxPage() {
  const t = useT();
  const list = useLoad(() => api.get<{ data: ConversationSummary[] } | Page<ConversationSummary>>('/api/v1/sandbox/conversations', { limit: 50 }), []);
  const convs = list.data ? ('data' in list.data ? list.data.data : list.data.items) : [];
  const [selected, setSelected] = useState<string>();
  const current = convs.find((c) => `${c.phoneNumberId}/${c.waId}` === selected) ?? convs[0];
  return (
    <Card title={t('sandbox.title')} extra={<Button onClick={list.reload}>{t('common.refresh')}</Button>}>
      <Typography.Paragraph type="secondary">{t('sandbox.help')}</Typography.Paragraph>
      <ConnectionDetails />
      <LoadState loading={list.loading} error={list.error}>
        {convs.length === 0 ? (
          <Empty description={t('sandbox.none')} />
        ) : (
          <Row gutter={24}>
            <Col flex="360px">
              <Card size="small" title={t('sandbox.conversations')} styles={{ body: { padding: 0 } }}>
                <Listy
                  rowKey={(c) => `${c.phoneNumberId}/${c.waId}`}
                  items={convs}
                  height={560}
                  styles={{ item: { padding: 0 } }}
                  itemRender={(c) => {
                    const open = () => setSelected(`${c.phoneNumberId}/${c.waId}`);
                    return (
                      <Flex
                        vertical
                        gap={4}
                        role="button"
                        tabIndex={0}
                        aria-pressed={c === current}
                        onClick={open}
                        onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); } }}
                        style={{ cursor: 'pointer', padding: '12px 16px', background: c === current ? '#e6f4f1' : undefined }}
                        data-testid="sandbox-conversation"
                      >
                        <Flex justify="space-between" gap={8}>
                          <Typography.Text strong ellipsis>{c.name}</Typography.Text>
                          <Typography.Text type="secondary">{c.waId}</Typography.Text>
                        </Flex>
                        <Flex justify="space-between" gap={8}>
                          <Badge status={c.windowOpen ? 'success' : 'default'} text={c.windowOpen ? t('sandbox.window') : t('sandbox.windowClosed')} />
                          <Typography.Text type="secondary" ellipsis style={{ maxWidth: 140 }}>{c.lastMessage.preview}</Typography.Text>
                        </Flex>
                      </Flex>
                    );
                  }}
                />
              </Card>
            </Col>
            <Col flex="auto">{current ? <Conversation key={`${current.phoneNumberId}/${current.waId}`} conv={current} reload={list.reload} /> : <Alert title={t('sandbox.none')} />}</Col>
          </Row>
        )}
      </LoadState>
    </Card>
  );
}
