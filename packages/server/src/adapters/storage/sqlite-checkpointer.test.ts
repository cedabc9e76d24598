import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from './sqlite-checkpointer';

const dirs: string[] = [];
function openFile() {
  const dir = mkdtempSync(path.join(tmpdir(), 'wareach-ckpt-'));
  dirs.push(dir);
  const file = path.join(dir, 'db.sqlite');
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  return { db, file };
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the SQLite checkpointer', () => {
  it('turns the writer’s automatic checkpoint off only once its worker runs, and on again when closed', async () => {
    const { db, file } = openFile();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    const c = startCheckpointer(db, file);
    expect(await c.ready).toBe(true);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    db.exec('create table t (x integer)');
    db.prepare('insert into t values (1)').run();
    await c.close();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(db.prepare('select count(*) from t').pluck().get()).toBe(1);
    db.close();
  });

  it('a worker that dies gives the writer its automatic checkpoint back', async () => {
    const { db, file } = openFile();
    const c = startCheckpointer(db, file);
    expect(await c.ready).toBe(true);
    const exited = new Promise<void>((resolve) => c.worker!.once('exit', () => resolve()));
    await c.worker!.terminate();
    await exited;
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    db.close();
  });
});
