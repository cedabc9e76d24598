/**
 * A message drawn the way WhatsApp draws it: a bubble with its header (text or media), body, footer
 * and time, then the buttons under it, or the list button that opens the rows. Used by the content
 * editor's live preview and by the sandbox phone, where buttons and rows can be tapped.
 */
import { FileOutlined, LinkOutlined, PictureOutlined, UnorderedListOutlined, VideoCameraOutlined } from '@ant-design/icons';
import { Button, Modal, Radio } from 'antd';
import { useState, type CSSProperties, type ReactNode } from 'react';
import type { MessagePreview } from '@wareach/core';
import { useT } from '../i18n/i18n';

const bubble = (outgoing: boolean): CSSProperties => ({
  background: outgoing ? '#d9fdd3' : '#fff',
  borderRadius: 8,
  padding: '6px 8px 4px',
  boxShadow: '0 1px 0.5px rgba(11,20,26,.13)',
  maxWidth: 300,
  alignSelf: outgoing ? 'flex-end' : 'flex-start',
  fontSize: 14,
  whiteSpace: 'pre-wrap',
  wordBreak: 'break-word',
});

const actionStyle: CSSProperties = {
  background: '#fff',
  color: '#027eb5',
  textAlign: 'center',
  padding: '8px 4px',
  borderRadius: 8,
  marginTop: 2,
  boxShadow: '0 1px 0.5px rgba(11,20,26,.13)',
  cursor: 'pointer',
  fontSize: 14,
  border: 'none',
  width: '100%',
};

/** WhatsApp's light formatting: *bold*, _italic_, ~strike~, ```mono```. */
function formatted(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  const re = /(\*[^*\n]+\*|_[^_\n]+_|~[^~\n]+~|```[^`]+```)/g;
  let last = 0;
  let m: RegExpExecArray | null;
  let i = 0;
  while ((m = re.exec(text))) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const s = m[0];
    const inner = s.startsWith('```') ? s.slice(3, -3) : s.slice(1, -1);
    if (s.startsWith('*')) out.push(<b key={i++}>{inner}</b>);
    else if (s.startsWith('_')) out.push(<i key={i++}>{inner}</i>);
    else if (s.startsWith('~')) out.push(<s key={i++}>{inner}</s>);
    else out.push(<code key={i++}>{inner}</code>);
    last = m.index + s.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function MediaHeader({ kind, url, text }: { kind: string; url?: string | undefined; text?: string | undefined }) {
  const box: CSSProperties = { background: '#e9edef', borderRadius: 6, height: 140, display: 'grid', placeItems: 'center', color: '#54656f', marginBottom: 6, overflow: 'hidden' };
  if (kind === 'image' && url && /^https?:|^\/|^blob:|^data:/.test(url)) {
    return <div style={box}><img src={url} alt="" style={{ maxWidth: '100%', maxHeight: 140 }} /></div>;
  }
  if (kind === 'document') {
    return (
      <div style={{ ...box, height: 56, display: 'flex', gap: 8, padding: 8, justifyContent: 'flex-start' }}>
        <FileOutlined style={{ fontSize: 24 }} /> <span>{text ?? 'document'}</span>
      </div>
    );
  }
  const icon = kind === 'video' ? <VideoCameraOutlined style={{ fontSize: 32 }} /> : <PictureOutlined style={{ fontSize: 32 }} />;
  return <div style={box} title={url}>{icon}</div>;
}

export interface PhoneMessageProps {
  preview: MessagePreview;
  outgoing?: boolean;
  time?: string;
  /** When given, reply buttons and list rows can be tapped (the sandbox phone). */
  onReply?: (reply: { kind: 'button' | 'list'; id: string; title: string }) => void;
  status?: ReactNode;
}

export function PhoneMessage({ preview, outgoing = false, time, onReply, status }: PhoneMessageProps) {
  const t = useT();
  const [listOpen, setListOpen] = useState(false);
  const [chosen, setChosen] = useState<string>();
  const h = preview.header;
  const rows = preview.list?.sections.flatMap((s) => s.rows) ?? [];
  return (
    <div style={{ display: 'flex', flexDirection: 'column', alignSelf: outgoing ? 'flex-end' : 'flex-start', maxWidth: 300 }} data-testid="phone-message">
      <div style={bubble(outgoing)}>
        {h && (h.kind === 'text' ? <div style={{ fontWeight: 700, marginBottom: 4 }}>{h.text}</div> : <MediaHeader kind={h.kind} url={h.mediaUrl} text={h.text} />)}
        {preview.body && <div>{formatted(preview.body)}</div>}
        {preview.footer && <div style={{ color: '#667781', fontSize: 12, marginTop: 4 }}>{preview.footer}</div>}
        <div style={{ color: '#667781', fontSize: 11, textAlign: 'right', marginTop: 2 }}>
          {time} {status}
        </div>
      </div>
      {preview.buttons?.map((b, i) => (
        <button
          type="button"
          key={`${b.id ?? b.title}-${i}`}
          style={actionStyle}
          disabled={!onReply && b.kind !== 'url'}
          onClick={() => {
            if (b.kind === 'url' && b.url) window.open(b.url, '_blank', 'noopener');
            else if (onReply) onReply({ kind: 'button', id: b.id ?? b.title, title: b.title });
          }}
        >
          {b.kind === 'url' && <LinkOutlined />} {b.title}
        </button>
      ))}
      {preview.list && (
        <>
          <button type="button" style={actionStyle} onClick={() => setListOpen(true)}>
            <UnorderedListOutlined /> {preview.list.button}
          </button>
          <Modal
            open={listOpen}
            title={preview.list.button}
            onCancel={() => setListOpen(false)}
            width={360}
            footer={
              onReply ? (
                <Button
                  type="primary"
                  block
                  disabled={!chosen}
                  onClick={() => {
                    const row = rows.find((r) => r.id === chosen);
                    if (row) onReply({ kind: 'list', id: row.id, title: row.title });
                    setListOpen(false);
                  }}
                >
                  {t('phone.send')}
                </Button>
              ) : null
            }
          >
            <Radio.Group value={chosen} onChange={(e) => setChosen(e.target.value as string)} style={{ width: '100%' }}>
              {preview.list.sections.map((s, si) => (
                <div key={si} style={{ marginBottom: 8 }}>
                  <div style={{ color: '#008069', fontSize: 13, margin: '8px 0 4px' }}>{s.title}</div>
                  {s.rows.map((r) => (
                    <label key={r.id} style={{ display: 'flex', justifyContent: 'space-between', padding: '6px 0', borderBottom: '1px solid #f0f0f0', cursor: 'pointer' }}>
                      <span>
                        <div>{r.title}</div>
                        {r.description && <div style={{ color: '#667781', fontSize: 12 }}>{r.description}</div>}
                      </span>
                      <Radio value={r.id} aria-label={r.title} />
                    </label>
                  ))}
                </div>
              ))}
            </Radio.Group>
          </Modal>
        </>
      )}
    </div>
  );
}

/** The phone frame: a WhatsApp chat header and wallpaper around the children. */
export function PhoneFrame({ title, children, footer, height = 560 }: { title: string; children: ReactNode; footer?: ReactNode; height?: number }) {
  return (
    <div style={{ width: 340, border: '10px solid #1f2c33', borderRadius: 28, overflow: 'hidden', background: '#efeae2', display: 'flex', flexDirection: 'column', height }} data-testid="phone">
      <div style={{ background: '#008069', color: '#fff', padding: '10px 14px', fontWeight: 600 }}>{title}</div>
      <div style={{ flex: 1, overflowY: 'auto', padding: 12, display: 'flex', flexDirection: 'column', gap: 8 }}>{children}</div>
      {footer}
    </div>
  );
}
