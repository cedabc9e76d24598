import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, launchBrowser, login, shot, startServer, watchErrors, type RunningServer } from './harness';

const PAGES = ['tasks', 'tasks/new', 'approvals', 'reports', 'reports?tab=groups', 'reports?tab=activities', 'groups', 'segments', 'segments/new', 'customers', 'catalogue', 'channels', 'templates', 'sandbox', 'members', 'settings'];

/** Pages whose path holds an ID made in `beforeAll`, shot under a fixed name. */
const MADE: { path: string; name: string }[] = [];

let server: RunningServer;
let browser: Browser;

/** A call to the API as the admin (cookie and CSRF token), for the data the report pages show. */
async function adminApi(url: string) {
  const r = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await r.json()) as { csrfToken: string };
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, { method, headers: { cookie, 'x-csrf-token': csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // A group and an activity holding one draft task: their reports, and the task's, are pages too.
  const call = await adminApi(server.url);
  const group = await call<{ id: string }>('POST', '/api/v1/groups', { name: 'Double 11' });
  const activity = await call<{ id: string }>('POST', '/api/v1/activities', { name: 'Singles Day 2026', description: 'November sale', startsAt: '2026-11-01T00:00:00+08:00', endsAt: '2026-11-12T00:00:00+08:00' });
  const { items: [channel] } = await call<{ items: { id: string; phoneNumbers: { phoneNumberId: string }[] }[] }>('GET', '/api/v1/channels/whatsapp');
  const task = await call<{ id: string }>('POST', '/api/v1/tasks', {
    basic: { name: 'Double 11 reminder', groupId: group.id, activityId: activity.id },
    audience: { mode: 'rule', rule: { kind: 'and', children: [{ kind: 'attribute', name: 'city', valueType: 'string', op: 'eq', value: 'Shanghai' }] }, syncToSegmentList: false, authorisedRoleIds: [] },
    trigger: { type: 'scheduled_once', sendAt: new Date(Date.now() + 2 * 86_400_000).toISOString() },
    delivery: { channelId: channel!.id, phoneNumberId: channel!.phoneNumbers[0]!.phoneNumberId, taskType: 'normal', content: { type: 'text', body: 'Hi {{attr.name | "there"}}' } },
  });
  MADE.push({ path: `reports/groups/${group.id}`, name: 'report-group' }, { path: `reports/activities/${activity.id}`, name: 'report-activity' }, { path: `tasks/${task.id}/report`, name: 'report-task' });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function visitAll(page: Page, lang: string, size: string) {
  for (const { path, name } of [...PAGES.map((p) => ({ path: p, name: p.replace(/[/?=]/g, '-') })), ...MADE]) {
    await page.goto(`${server.url}/${path}`);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(300);
    await shot(page, `${lang}-${size}-${name}`);
  }
}

describe('the console in a browser', () => {
  it('logs in, shows every page in English and Chinese at 1280×800, and logs out', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = watchErrors(page);
    await page.goto(`${server.url}/login`);
    await page.evaluate(() => localStorage.setItem('wareach.lang', 'en'));
    await page.reload();
    await shot(page, 'en-1280-login');
    await login(page, server.url);
    await page.getByRole('navigation', { name: 'main' }).getByText('Tasks').first().waitFor();
    await visitAll(page, 'en', '1280');

    await page.getByTestId('lang-switch').click();
    await page.getByRole('menuitem', { name: '简体中文' }).click();
    await page.getByRole('navigation', { name: 'main' }).getByText('任务').first().waitFor();
    await visitAll(page, 'zh', '1280');

    await page.getByRole('button', { name: /退出登录/ }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/login'));
    // 404s of optional data (e.g. a server area not built yet) are reported by the pages, not here.
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    await page.close();
  }, 240_000);

  it('walks the wizard with a rule audience and reply buttons, checking each step before the next', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}/login`);
    await page.evaluate(() => localStorage.setItem('wareach.lang', 'en'));
    await login(page, server.url);
    await page.goto(`${server.url}/tasks/new`);
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('wizard-next').click();
    await page.getByText('Name the task').waitFor();
    await shot(page, 'wizard-2-basic-error');
    await page.getByTestId('task-name').fill(`E2E task ${Date.now()}`);
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('wizard-step-audience').waitFor();
    await page.getByRole('button', { name: 'Add condition' }).click();
    await page.getByRole('menuitem', { name: 'Attribute' }).click();
    await page.getByLabel('Attribute name').fill('city');
    await page.getByLabel('Value', { exact: true }).fill('Shanghai');
    await page.waitForTimeout(1500);
    await shot(page, 'wizard-3-audience');
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('wizard-step-trigger').waitFor();
    await page.locator('[id="trigger.sendAt"]').click();
    const when = new Date(Date.now() + 2 * 3600_000);
    const wall = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(when);
    await page.locator('[id="trigger.sendAt"]').fill(wall);
    await page.keyboard.press('Enter');
    await page.getByTestId('timing-preview').getByText(/Sends at/).waitFor();
    await shot(page, 'wizard-4-trigger');
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('wizard-step-delivery').waitFor();
    // The option list animates open; a click that lands mid-animation is retried.
    const buttonTitle = page.locator('[id="delivery.content.buttons.0.title"]');
    for (let i = 0; i < 5 && !(await buttonTitle.isVisible()); i++) {
      await page.getByTestId('content-type').click();
      await page.locator('.ant-select-item-option[title="Reply buttons"]').waitFor();
      await page.waitForTimeout(300);
      await page.locator('.ant-select-item-option[title="Reply buttons"]').click();
      await buttonTitle.waitFor({ timeout: 3000 }).catch(() => undefined);
    }
    await page.locator('[id="delivery.content.body"]').fill('Hi {{attr.name | "there"}}, *Double 11* starts tonight. Want a reminder?');
    await page.locator('[id="delivery.content.buttons.0.title"]').fill('Remind me');
    await page.getByTestId('phone').getByText('Remind me').waitFor();
    await shot(page, 'wizard-5-delivery');
    await page.getByTestId('wizard-next').click();
    await page.getByText('Choose a channel').first().waitFor();
    await page.close();
  }, 120_000);

  it('lays the wizard and sandbox out at 1920×1080', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await login(page, server.url);
    for (const p of ['tasks/new', 'sandbox', 'customers']) {
      await page.goto(`${server.url}/${p}`);
      await page.waitForLoadState('networkidle');
      await shot(page, `wide-${p.replace(/\//g, '-')}`);
    }
    await page.close();
  }, 120_000);
});
