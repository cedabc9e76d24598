import { describe, expect, it } from 'vitest';
import { CATALOGUE_LAST_SEEN_SLACK_MS, catalogueNamesToWrite, eventCatalogue } from './event-input';

describe('event catalogue writes', () => {
  const T = Date.parse('2026-12-01T00:00:00Z');
  const stored = new Map([['sent', { first: T, last: T }]]);

  it('a batch gives each name its first and last time and each property type once', () => {
    const c = eventCatalogue([
      { name: 'sent', at: T + 5, properties: { task: 't1', n: 1 } },
      { name: 'sent', at: T + 1, properties: { task: 't2' } },
    ]);
    expect(c.names).toEqual([['sent', T + 1, T + 5]]);
    expect(c.props).toEqual([['sent', 'task', 'string'], ['sent', 'n', 'number']]);
  });

  it('writes a new name, an earlier first time, a last time past the slack; not one within it', () => {
    expect(catalogueNamesToWrite([['clicked', T, T]], stored)).toEqual([['clicked', T, T]]);
    expect(catalogueNamesToWrite([['sent', T - 1, T]], stored)).toEqual([['sent', T - 1, T]]);
    expect(catalogueNamesToWrite([['sent', T + 10, T + CATALOGUE_LAST_SEEN_SLACK_MS]], stored)).toEqual([]);
    expect(catalogueNamesToWrite([['sent', T + 10, T + CATALOGUE_LAST_SEEN_SLACK_MS + 1]], stored)).toEqual([['sent', T + 10, T + CATALOGUE_LAST_SEEN_SLACK_MS + 1]]);
  });
});
