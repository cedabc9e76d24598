import { describe, expect, it } from 'vitest';
import { validateContent } from './validate-content';
import { chars, fixture, withField } from './test-fixtures';
import type { FixtureType } from './test-fixtures';

function errorsOf(input: unknown) {
  const result = validateContent(input);
  return result.ok ? [] : result.error;
}

describe('every text limit: accepted at the limit, refused one over with the field path', () => {
  const cases: Array<[FixtureType, string, number]> = [
    ['text', 'body', 4096],
    ['image', 'caption', 1024],
    ['video', 'caption', 1024],
    ['document', 'caption', 1024],
    ['document', 'filename', 255],
    ['cta_url', 'header.text', 60],
    ['cta_url', 'body', 1024],
    ['cta_url', 'footer', 60],
    ['cta_url', 'displayText', 20],
    ['list', 'header.text', 60],
    ['list', 'body', 4096],
    ['list', 'footer', 60],
    ['list', 'button', 20],
    ['list', 'sections.0.title', 24],
    ['list', 'sections.0.rows.0.title', 24],
    ['list', 'sections.0.rows.0.description', 72],
    ['list', 'sections.0.rows.0.id', 200],
    ['buttons', 'header.text', 60],
    ['buttons', 'body', 1024],
    ['buttons', 'footer', 60],
    ['buttons', 'buttons.0.title', 20],
    ['buttons', 'buttons.0.id', 256],
  ];

  it.each(cases)('%s %s: %i characters are accepted', (type, path, max) => {
    const base = path.startsWith('header.') ? withField(fixture(type), 'header', { type: 'text', text: 'x' }) : fixture(type);
    expect(errorsOf(withField(base, path, chars(max)))).toEqual([]);
  });

  it.each(cases)('%s %s: one more than %i is refused', (type, path, max) => {
    const base = path.startsWith('header.') ? withField(fixture(type), 'header', { type: 'text', text: 'x' }) : fixture(type);
    expect(errorsOf(withField(base, path, chars(max + 1)))).toEqual([
      { path, message: `must be at most ${max} characters (got ${max + 1})` },
    ]);
  });

  it('interactive bodies follow Meta, not the 4096 of the source: reply buttons and cta_url stop at 1024, list at 4096', () => {
    expect(errorsOf(withField(fixture('buttons'), 'body', chars(1025)))[0]?.path).toBe('body');
    expect(errorsOf(withField(fixture('cta_url'), 'body', chars(1025)))[0]?.path).toBe('body');
    expect(errorsOf(withField(fixture('list'), 'body', chars(4096)))).toEqual([]);
  });

  it('counts characters, not UTF-16 units: 20 emoji make a 20-character button title', () => {
    expect(errorsOf(withField(fixture('buttons'), 'buttons.0.title', chars(20, '😀')))).toEqual([]);
    expect(errorsOf(withField(fixture('buttons'), 'buttons.0.title', chars(21, '😀')))).toEqual([
      { path: 'buttons.0.title', message: 'must be at most 20 characters (got 21)' },
    ]);
  });
});

describe('placeholders and limits', () => {
  it('a placeholder without default counts as empty: 20 letters plus {{attr.name}} fit a 20-character title', () => {
    expect(errorsOf(withField(fixture('buttons'), 'buttons.0.title', `${chars(20)}{{attr.name}}`))).toEqual([]);
  });

  it('a default counts at its length: 20 letters plus a one-letter default do not fit', () => {
    expect(errorsOf(withField(fixture('buttons'), 'buttons.0.title', `${chars(20)}{{attr.name | "x"}}`))).toEqual([
      { path: 'buttons.0.title', message: 'must be at most 20 characters (got 21, with its placeholders at their defaults or empty)' },
    ]);
  });

  it('an unknown placeholder is refused, naming it and the valid forms', () => {
    const [error] = errorsOf(withField(fixture('text'), 'body', 'Hi {{name}}'));
    expect(error?.path).toBe('body');
    expect(error?.message).toMatch(/^unknown placeholder \{\{name\}\}: use \{\{attr\.NAME\}\}/);
  });

  it('an unclosed placeholder is refused', () => {
    expect(errorsOf(withField(fixture('text'), 'body', 'Hi {{attr.name'))[0]?.message).toMatch(/without a closing "\}\}"/);
  });

  it('an unquoted default is refused', () => {
    expect(errorsOf(withField(fixture('text'), 'body', 'Hi {{attr.name | there}}'))[0]?.message).toMatch(/not a quoted text/);
  });

  it('identifiers may not hold placeholders', () => {
    expect(errorsOf(withField(fixture('buttons'), 'buttons.0.id', '{{id}}'))).toEqual([
      { path: 'buttons.0.id', message: 'must not contain placeholders: it is an identifier' },
    ]);
  });
});

describe('counts', () => {
  const row = (i: number) => ({ id: `r${i}`, title: `Row ${i}` });
  const sections = (rowCounts: number[]) => {
    let n = 0;
    return rowCounts.map((count, s) => ({ title: `S${s}`, rows: Array.from({ length: count }, () => row(n++)) }));
  };

  it('a list takes 10 sections of one row each', () => {
    expect(errorsOf(withField(fixture('list'), 'sections', sections(Array(10).fill(1))))).toEqual([]);
  });

  it('a list with 11 sections is refused at sections', () => {
    expect(errorsOf(withField(fixture('list'), 'sections', sections(Array(11).fill(1))))).toContainEqual({
      path: 'sections',
      message: 'must have at most 10 sections (got 11)',
    });
  });

  it('a list needs a section', () => {
    expect(errorsOf(withField(fixture('list'), 'sections', []))).toEqual([{ path: 'sections', message: 'must have at least 1 section (got 0)' }]);
  });

  it('10 rows in total across sections are accepted', () => {
    expect(errorsOf(withField(fixture('list'), 'sections', sections([6, 4])))).toEqual([]);
  });

  it('11 rows in total across sections are refused, though each section has fewer than 10', () => {
    expect(errorsOf(withField(fixture('list'), 'sections', sections([6, 5])))).toEqual([
      { path: 'sections', message: 'must have at most 10 rows in total across all sections (got 11)' },
    ]);
  });

  it('a section needs a row', () => {
    expect(errorsOf(withField(fixture('list'), 'sections', sections([0])))).toEqual([
      { path: 'sections.0.rows', message: 'must have at least 1 row (got 0)' },
    ]);
  });

  it('every section needs a title, even the only one', () => {
    expect(errorsOf(withField(fixture('list'), 'sections', [{ rows: [row(1)] }]))).toEqual([
      { path: 'sections.0.title', message: 'is required' },
    ]);
  });

  it('row ids are unique across the whole list', () => {
    const twice = [{ title: 'A', rows: [row(1)] }, { title: 'B', rows: [row(1)] }];
    expect(errorsOf(withField(fixture('list'), 'sections', twice))).toEqual([
      { path: 'sections.1.rows.0.id', message: 'must be unique: "r1" is used by another row' },
    ]);
  });

  const buttons = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `b${i}`, title: `Button ${i}` }));

  it('three reply buttons are accepted', () => {
    expect(errorsOf(withField(fixture('buttons'), 'buttons', buttons(3)))).toEqual([]);
  });

  it('a fourth reply button is refused at buttons', () => {
    expect(errorsOf(withField(fixture('buttons'), 'buttons', buttons(4)))).toEqual([
      { path: 'buttons', message: 'must have at most 3 buttons (got 4)' },
    ]);
  });

  it('reply buttons need at least one', () => {
    expect(errorsOf(withField(fixture('buttons'), 'buttons', []))).toEqual([{ path: 'buttons', message: 'must have at least 1 button (got 0)' }]);
  });

  it('reply button ids and titles are unique', () => {
    const same = [{ id: 'a', title: 'Same' }, { id: 'a', title: 'Same' }];
    expect(errorsOf(withField(fixture('buttons'), 'buttons', same))).toEqual([
      { path: 'buttons.1.id', message: 'must be unique: "a" is used by another button' },
      { path: 'buttons.1.title', message: 'must be unique: "Same" is used by another button' },
    ]);
  });

  it('reply button ids may not start or end with spaces', () => {
    expect(errorsOf(withField(fixture('buttons'), 'buttons.0.id', ' yes'))).toEqual([
      { path: 'buttons.0.id', message: 'must not start or end with spaces' },
    ]);
  });
});

describe('headers', () => {
  it('a list header can only be text', () => {
    expect(errorsOf(withField(fixture('list'), 'header', { type: 'image', link: 'https://cdn.example.com/a.png' }))).toEqual([
      { path: 'header.type', message: 'must be text: WhatsApp allows only a text header on list messages' },
    ]);
  });

  it.each(['cta_url', 'buttons'] as const)('a %s header may be text, image, video or document', (type) => {
    for (const header of [
      { type: 'text', text: 'Hi' },
      { type: 'image', link: 'https://cdn.example.com/a.png' },
      { type: 'video', mediaFileId: 'mf-1' },
      { type: 'document', link: 'https://cdn.example.com/a.pdf' },
    ]) {
      expect(errorsOf(withField(fixture(type), 'header', header))).toEqual([]);
    }
    expect(errorsOf(withField(fixture(type), 'header', { type: 'location' }))).toEqual([
      { path: 'header.type', message: 'must be text, image, video or document' },
    ]);
  });
});

describe('media and URLs', () => {
  it('media needs a link or a mediaFileId', () => {
    expect(errorsOf({ type: 'image' })).toEqual([{ path: 'link', message: 'is required: give a link or a mediaFileId' }]);
  });

  it('media takes a link or a mediaFileId, not both', () => {
    expect(errorsOf({ type: 'image', link: 'https://a.example/x.png', mediaFileId: 'mf-1' })).toEqual([
      { path: 'mediaFileId', message: 'give a link or a mediaFileId, not both' },
    ]);
  });

  it.each(['ftp://files.example.com/a.png', 'javascript:alert(1)', 'shop.example.com', '{{attr.link}}'])(
    'the URL %s is refused: it must be http or https, written out',
    (url) => {
      expect(errorsOf(withField(fixture('cta_url'), 'url', url))).toEqual([{ path: 'url', message: 'must be an http:// or https:// URL' }]);
    },
  );

  it('a URL may carry placeholders after its scheme and host', () => {
    expect(errorsOf(withField(fixture('cta_url'), 'url', 'https://shop.example.com/u/{{id}}?city={{attr.city | "all"}}'))).toEqual([]);
  });

  it('http is accepted as well as https', () => {
    expect(errorsOf(withField(fixture('image'), 'link', 'http://cdn.example.com/a.png'))).toEqual([]);
  });
});

describe('shape', () => {
  it('every fixture is valid', () => {
    for (const type of ['text', 'image', 'video', 'document', 'cta_url', 'list', 'buttons', 'template'] as const) {
      expect(validateContent(fixture(type))).toMatchObject({ ok: true });
    }
  });

  it('an unknown type is refused at type', () => {
    expect(errorsOf({ type: 'audio' })).toEqual([
      { path: 'type', message: 'must be one of template, text, image, video, document, cta_url, list, buttons' },
    ]);
  });

  it('a field that does not belong to the type is refused by name', () => {
    expect(errorsOf({ ...fixture('list'), caption: 'x' })).toEqual([{ path: 'caption', message: 'is not a known field here' }]);
  });

  it('a required text is reported as required, a blank one as empty', () => {
    expect(errorsOf({ type: 'text' })).toEqual([{ path: 'body', message: 'is required' }]);
    expect(errorsOf({ type: 'text', body: '  ' })).toEqual([{ path: 'body', message: 'must not be empty' }]);
  });
});
