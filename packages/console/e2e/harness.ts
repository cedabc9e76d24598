/**
 * Browser-test harness: a real `wareach start` process (API, worker, sandbox, console) on a temp data
 * directory and a free port, and Debian's Chromium driven by playwright-core. Screenshots go to
 * test-artifacts/screenshots/ at the repository root.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const SHOTS = path.join(ROOT, 'test-artifacts', 'screenshots');
export const ADMIN = { email: 'admin@wareach.local', password: 'admin-password-123' };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
  log(): string;
}

export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wareach-e2e-'));
  const port = await freePort();
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  let out = '';
  const child: ChildProcess = spawn(tsx, ['packages/server/src/cli/main.ts', process.env.WAREACH_E2E_MODE ?? 'start'], {
    cwd: ROOT,
    env: { ...process.env, WAREACH_DATA_DIR: dir, WAREACH_PORT: String(port), WAREACH_HOST: '127.0.0.1', WAREACH_ADMIN_PASSWORD: ADMIN.password, WAREACH_LOG_LEVEL: 'warn', WAREACH_RATE_LIMIT_PER_MINUTE: '100000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 150_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wareach start exited with ${child.exitCode}:\n${out}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`wareach start did not come up in time:\n${out}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url,
    log: () => out,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

/** Console errors and failed page loads, so a test can assert there are none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

export async function login(page: Page, url: string, who = ADMIN): Promise<void> {
  await page.goto(`${url}/login`);
  await page.getByLabel(/Email|邮箱/).fill(who.email);
  await page.getByLabel(/Password|密码/).fill(who.password);
  await page.getByRole('button', { name: /Log in|登 ?录/ }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/** A member's API session from Node: cookie plus CSRF token, for setup and for checking results. */
export async function apiSession(url: string, who: { email: string; password: string }) {
  const r = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(who) });
  expect(r.status).toBe(200);
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await r.json()) as { csrfToken: string };
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return { call };
}

/** Picks an antd Select option by its title, until `done` says the choice took. */
export async function pickOption(page: Page, field: string, title: string, done: () => Promise<boolean>) {
  // Select lists animate open; a click that lands mid-animation is retried.
  for (let i = 0; i < 5 && !(await done()); i++) {
    await page.locator(`[id="${field}"]`).click({ force: true });
    const option = page.locator(`.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title="${title}"]`);
    await option.waitFor();
    await page.waitForTimeout(300);
    await option.click();
    await page.waitForTimeout(300);
  }
  expect(await done()).toBe(true);
}
