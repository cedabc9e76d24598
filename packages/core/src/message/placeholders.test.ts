import { describe, expect, it } from 'vitest';
import { formatValue, parsePlaceholders, renderText, renderWithDefaults, scanPlaceholders } from './placeholders';
import { csvRecipient, recipient } from './test-fixtures';

describe('parsePlaceholders', () => {
  it('finds attribute, tag, id and phone references with their defaults, in text order', () => {
    const refs = parsePlaceholders('Hi {{attr.first_name | "there"}} ({{tag.level}}), id {{id}}, phone {{ phone }}');
    expect(refs.map(({ source, name, key, default: fallback }) => ({ source, name, key, default: fallback }))).toEqual([
      { source: 'attr', name: 'first_name', key: 'attr.first_name', default: 'there' },
      { source: 'tag', name: 'level', key: 'tag.level', default: undefined },
      { source: 'id', name: undefined, key: 'id', default: undefined },
      { source: 'phone', name: undefined, key: 'phone', default: undefined },
    ]);
  });

  it('keeps each placeholder as written and where it is', () => {
    const [ref] = parsePlaceholders('Hi {{attr.city}}!');
    expect(ref).toMatchObject({ raw: '{{attr.city}}', start: 3, end: 16 });
  });

  it('accepts names in any script, and single-quoted defaults with escapes', () => {
    const [ref] = parsePlaceholders(`{{attr.城市 | 'it\\'s here'}}`);
    expect(ref).toMatchObject({ name: '城市', default: "it's here" });
  });

  it('a default may contain "}}" and "|" inside its quotes', () => {
    const [ref] = parsePlaceholders('{{attr.x | "a}}b|c"}} tail');
    expect(ref).toMatchObject({ default: 'a}}b|c', raw: '{{attr.x | "a}}b|c"}}' });
  });

  it('reports invalid placeholders as problems, not references', () => {
    const { refs, problems } = scanPlaceholders('{{1}} {{attr.}} {{attr.x | bare}} {{id');
    expect(refs).toEqual([]);
    expect(problems.map((p) => p.raw)).toEqual(['{{1}}', '{{attr.}}', '{{attr.x | bare}}', '{{']);
  });

  it('text without placeholders has none', () => {
    expect(scanPlaceholders('Price: {5} and }} alone')).toEqual({ refs: [], problems: [] });
  });
});

describe('renderText', () => {
  it('inserts the recipient values', () => {
    expect(renderText('Hi {{attr.first_name}} from {{attr.city}}, {{tag.level}} member {{id}} at {{phone}}', recipient)).toEqual({
      ok: true,
      value: 'Hi Mei from Shenzhen, gold member u-1001 at +8613800138000',
    });
  });

  it('uses the default when the value is missing', () => {
    expect(renderText('Hi {{attr.nickname | "there"}}', recipient)).toEqual({ ok: true, value: 'Hi there' });
  });

  it('prefers the value to the default', () => {
    expect(renderText('Hi {{attr.first_name | "there"}}', recipient)).toEqual({ ok: true, value: 'Hi Mei' });
  });

  it('a missing value without default fails, listing every missing key once', () => {
    expect(renderText('{{attr.nickname}} {{tag.size}} {{attr.nickname}}', recipient)).toEqual({
      ok: false,
      error: { code: 'missing_value', reason: 'no value for attr.nickname, tag.size, and no default is given', missing: ['attr.nickname', 'tag.size'] },
    });
  });

  it('a recipient without a profile fails with that reason', () => {
    const result = renderText('Hi {{attr.first_name}}, your id {{id}}', csvRecipient);
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'missing_value',
        reason: 'recipient has no profile, and the content inserts attr.first_name, id without a default',
        missing: ['attr.first_name', 'id'],
      },
    });
  });

  it('a recipient without a profile still gets {{phone}} and defaults', () => {
    expect(renderText('{{phone}} {{attr.first_name | "friend"}}', csvRecipient)).toEqual({ ok: true, value: '+8613900139000 friend' });
  });

  it('blank text counts as missing, so the default applies', () => {
    expect(renderText('Hi {{attr.name | "there"}}', { ...recipient, attributes: { name: '  ' } })).toEqual({ ok: true, value: 'Hi there' });
  });

  it('an invalid placeholder fails as invalid content', () => {
    expect(renderText('Hi {{name}}', recipient)).toMatchObject({ ok: false, error: { code: 'invalid_content' } });
  });

  it('encodes inserted values when asked, e.g. in URLs', () => {
    expect(renderText('https://x.example/?c={{attr.c}}', { ...recipient, attributes: { c: 'New York&co' } }, { encode: encodeURIComponent })).toEqual({
      ok: true,
      value: 'https://x.example/?c=New%20York%26co',
    });
  });
});

describe('formatValue', () => {
  it.each<[string, unknown, string | undefined]>([
    ['an integer', 1250, '1250'],
    ['a float without binary noise', 0.1 + 0.2, '0.3'],
    ['a negative number', -3.5, '-3.5'],
    ['a boolean', true, 'true'],
    ['a date at midnight UTC as a day', new Date('2025-03-01T00:00:00Z'), '2025-03-01'],
    ['a date with a time, in UTC', new Date('2025-03-01T14:05:09Z'), '2025-03-01 14:05 UTC'],
    ['a list, joined', ['shoes', 'bags', 3], 'shoes, bags, 3'],
    ['a list skipping empty items', ['a', null, ''], 'a'],
    ['an object as JSON', { a: 1 }, '{"a":1}'],
    ['null as missing', null, undefined],
    ['an empty list as missing', [], undefined],
    ['NaN as missing', Number.NaN, undefined],
    ['an invalid date as missing', new Date('nope'), undefined],
  ])('formats %s', (_, value, expected) => {
    expect(formatValue(value)).toBe(expected);
  });
});

describe('renderWithDefaults', () => {
  it('puts each default in place and drops placeholders without one', () => {
    expect(renderWithDefaults('Hi {{attr.name | "there"}}{{id}}!')).toBe('Hi there!');
  });
});
