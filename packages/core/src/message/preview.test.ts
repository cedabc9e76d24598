import { describe, expect, it } from 'vitest';
import type { MessageContent } from './content-schema';
import { toPreview } from './preview';
import { validateContent } from './validate-content';
import { csvRecipient, fixture, recipient } from './test-fixtures';

function content(input: unknown): MessageContent {
  const result = validateContent(input);
  if (!result.ok) throw new Error(`fixture invalid: ${JSON.stringify(result.error)}`);
  return result.value;
}

describe('toPreview', () => {
  it('shows placeholders as written without a recipient, rendered with one', () => {
    const text = content({ type: 'text', body: 'Hi {{attr.first_name | "there"}}' });
    expect(toPreview(text)).toEqual({ type: 'text', body: 'Hi {{attr.first_name | "there"}}' });
    expect(toPreview(text, recipient)).toEqual({ type: 'text', body: 'Hi Mei' });
  });

  it('shows the content as written, with the failure, when it cannot render for the recipient', () => {
    const text = content({ type: 'text', body: 'Hi {{attr.first_name}}' });
    expect(toPreview(text, csvRecipient)).toMatchObject({ body: 'Hi {{attr.first_name}}', failure: { code: 'missing_value', missing: ['attr.first_name'] } });
  });

  it('media: the media as header and the caption as body; a document shows its file name', () => {
    expect(toPreview(content(fixture('image')))).toEqual({ type: 'image', header: { kind: 'image', mediaUrl: 'https://cdn.example.com/a.png' }, body: 'A picture' });
    expect(toPreview(content(fixture('video')))).toEqual({ type: 'video', header: { kind: 'video', mediaFileId: 'mf-video-1' }, body: 'A film' });
    expect(toPreview(content(fixture('document'))).header).toEqual({ kind: 'document', mediaUrl: 'https://cdn.example.com/a.pdf', text: 'order.pdf' });
  });

  it('cta_url: one URL button', () => {
    expect(toPreview(content(fixture('cta_url')))).toEqual({
      type: 'cta_url',
      header: { kind: 'text', text: 'Spring sale' },
      body: 'Tap to see the offers',
      footer: 'Reply STOP to opt out',
      buttons: [{ title: 'See offers', kind: 'url', url: 'https://shop.example.com/sale' }],
    });
  });

  it('reply buttons: each with its id', () => {
    expect(toPreview(content(fixture('buttons'))).buttons).toEqual([
      { id: 'yes', title: 'Yes', kind: 'reply' },
      { id: 'no', title: 'No', kind: 'reply' },
    ]);
  });

  it('list: the button label and the sections', () => {
    expect(toPreview(content(fixture('list'))).list).toEqual({
      button: 'Stores',
      sections: [{ title: 'Shenzhen', rows: [{ id: 'sz-1', title: 'Futian', description: 'Near the metro' }] }],
    });
  });

  it('template without recipient: constants shown, profile bindings as their placeholder', () => {
    expect(toPreview(content(fixture('template')))).toEqual({
      type: 'template',
      header: { kind: 'image', mediaUrl: 'https://cdn.example.com/sale.png' },
      body: 'Hi {{attr.first_name}}, you have {{attr.points}} points.',
      footer: 'Reply STOP to opt out',
      buttons: [
        { title: 'Shop', kind: 'url', url: 'https://shop.example.com/u/{{id}}' },
        { title: 'Stop promotions', kind: 'quick_reply' },
      ],
    });
  });

  it('template with recipient: variables rendered, the URL with its suffix', () => {
    const preview = toPreview(content(fixture('template')), recipient);
    expect(preview.body).toBe('Hi Mei, you have 1250 points.');
    expect(preview.buttons?.[0]).toEqual({ title: 'Shop', kind: 'url', url: 'https://shop.example.com/u/u-1001' });
  });
});
