import { describe, expect, it } from 'vitest';
import { contentNeedsProfile, contentReferences, isTemplateContent } from './content-references';
import type { MessageContent } from './content-schema';
import { validateContent } from './validate-content';
import { fixture } from './test-fixtures';

function content(input: unknown): MessageContent {
  const result = validateContent(input);
  if (!result.ok) throw new Error(`fixture invalid: ${JSON.stringify(result.error)}`);
  return result.value;
}

describe('contentNeedsProfile', () => {
  it('content without placeholders needs no profile', () => {
    expect(contentNeedsProfile(content(fixture('list')))).toBe(false);
  });

  it('{{phone}} alone needs no profile: every recipient has a phone', () => {
    expect(contentNeedsProfile(content({ type: 'text', body: 'Your number {{phone}}' }))).toBe(false);
  });

  it.each(['{{attr.city}}', '{{tag.level}}', '{{id}}', '{{attr.city | "there"}}'])('inserting %s needs a profile, default or not', (placeholder) => {
    expect(contentNeedsProfile(content({ type: 'text', body: `Hi ${placeholder}` }))).toBe(true);
  });

  it('finds placeholders in any field: a list row description, a cta URL, a media caption', () => {
    expect(contentReferences(content({ ...fixture('list'), sections: [{ title: 'S', rows: [{ id: 'r', title: 'R', description: '{{tag.level}}' }] }] }))).toEqual(['tag.level']);
    expect(contentReferences(content({ ...fixture('cta_url'), url: 'https://x.example/{{id}}' }))).toEqual(['id']);
    expect(contentReferences(content({ ...fixture('image'), caption: '{{attr.a}} {{attr.b}} {{attr.a}}' }))).toEqual(['attr.a', 'attr.b']);
  });

  it('a template needs a profile when a binding reads an attribute, a tag or the id', () => {
    expect(contentReferences(content(fixture('template')))).toEqual(['attr.first_name', 'attr.points', 'id']);
    expect(contentNeedsProfile(content(fixture('template')))).toBe(true);
  });

  it('a template bound to constants and the phone needs no profile', () => {
    const input = { ...fixture('template'), bindings: {
      'header.media': { kind: 'media', link: 'https://cdn.example.com/a.png' },
      'body.1': { kind: 'constant', value: 'friend' },
      'body.2': { kind: 'constant', value: '10' },
      'button.0': { kind: 'phone' },
    } };
    expect(contentNeedsProfile(content(input))).toBe(false);
  });
});

describe('isTemplateContent', () => {
  it('only template content may go outside the 24-hour window', () => {
    expect(isTemplateContent(content(fixture('template')))).toBe(true);
    for (const type of ['text', 'image', 'video', 'document', 'cta_url', 'list', 'buttons'] as const) {
      expect(isTemplateContent(content(fixture(type)))).toBe(false);
    }
  });
});
