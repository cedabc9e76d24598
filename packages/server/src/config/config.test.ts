import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

const dir = () => mkdtempSync(path.join(tmpdir(), 'wareach-config-'));

describe('config', () => {
  it('defaults to SQLite under the data dir, port 3000, embedded queue', () => {
    const d = dir();
    const c = loadConfig({ WAREACH_DATA_DIR: d });
    expect(c.database).toEqual({ kind: 'sqlite', file: path.join(d, 'wareach.db') });
    expect(c.port).toBe(3000);
    expect(c.redisUrl).toBeUndefined();
  });

  it('a postgres:// URL switches to PostgreSQL', () => {
    const c = loadConfig({ WAREACH_DATA_DIR: dir(), WAREACH_DATABASE_URL: 'postgres://u@h:5432/db' });
    expect(c.database).toEqual({ kind: 'postgres', url: 'postgres://u@h:5432/db' });
  });

  it('generates the secret key once into the data dir and reuses it', () => {
    const d = dir();
    const a = loadConfig({ WAREACH_DATA_DIR: d });
    expect(a.secretKeyGenerated).toBe(true);
    const b = loadConfig({ WAREACH_DATA_DIR: d });
    expect(b.secretKeyGenerated).toBe(false);
    expect(b.secretKey.equals(a.secretKey)).toBe(true);
    expect(readFileSync(path.join(d, 'secret.key'), 'utf8').trim()).toHaveLength(64);
  });

  it('a bad value stops start-up with a message naming the variable', () => {
    const bad = { WAREACH_DATA_DIR: dir(), WAREACH_PORT: 'eighty', WAREACH_REDIS_URL: 'http://x', WAREACH_SECRET_KEY: 'short' };
    expect(() => loadConfig(bad)).toThrow(ConfigError);
    try {
      loadConfig(bad);
    } catch (e) {
      const vars = (e as ConfigError).problems.map((p) => p.variable).sort();
      expect(vars).toEqual(['WAREACH_PORT', 'WAREACH_REDIS_URL', 'WAREACH_SECRET_KEY']);
      expect((e as Error).message).toContain('WAREACH_PORT');
    }
  });

  it('the result is frozen', () => {
    const c = loadConfig({ WAREACH_DATA_DIR: dir() });
    expect(Object.isFrozen(c)).toBe(true);
  });
});
