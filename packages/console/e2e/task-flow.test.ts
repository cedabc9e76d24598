/**
 * Issue 6 end to end in a browser, against a real `wareach start` (API, in-process worker, sandbox):
 * an admin builds a scheduled-once task with a rule audience and reply buttons and submits it; a second
 * member with the approver role approves it from the inbox; the run sends to the sandbox; the recipient
 * taps the button on the sandbox phone; the tap shows in the task's report, in English and Chinese.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, apiSession, launchBrowser, login, pickOption, shot, startServer, watchErrors, type RunningServer } from './harness';

const APPROVER = { email: 'approver@wareach.local', password: 'approver-password-123' };
// Demo data is seeded the same on every install: "Customer 7" is demo-00007, in Asia/Shanghai, with a
// WhatsApp number, so `name equals "Customer 7"` is a rule audience of exactly one reachable user.
const RECIPIENT = { name: 'Customer 7', phone: '8613800629608' };
const BUTTON = 'Remind me';
const ZONE = 'Asia/Shanghai';
// The demo sandbox channel's phone number ID (fixed on every install).
const SENDER = '106540352242922';

let server: RunningServer;
let browser: Browser;

/** Polls `check` until it returns a value, at most `ms`. */
async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function wallTime(at: Date): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(at);
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const admin = await apiSession(server.url, ADMIN);
  await admin.call('POST', '/api/v1/members', { ...APPROVER, name: 'Approver', roleId: 'role_approver' });
  // The run must send whatever the hour the test runs at: quiet hours would defer it to the morning.
  await admin.call('PATCH', '/api/v1/settings', { doNotDisturb: { enabled: false, start: '22:00', end: '08:00', action: 'defer' } });
  // A free-form (non-template) message may only go to someone who wrote in the last 24 hours: the
  // recipient says hello from the sandbox phone first, or the run skips them as outside_service_window.
  await admin.call('POST', `/api/v1/sandbox/conversations/${SENDER}/${RECIPIENT.phone}/actions`, { type: 'text', body: 'Hi, any deals?' });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('issue 6: create, approve, send, tap, report', () => {
  it('runs the whole flow through the console', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = watchErrors(page);
    await page.goto(`${server.url}/login`);
    await page.evaluate(() => localStorage.setItem('wareach.lang', 'en'));
    await login(page, server.url);

    // The wizard: channel → basic → audience → trigger → delivery → summary.
    const name = `Flow task ${Date.now()}`;
    await page.goto(`${server.url}/tasks/new`);
    await page.getByTestId('wizard-step-channel').waitFor();
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('task-name').fill(name);
    await shot(page, 'flow-01-basic');
    await page.getByTestId('wizard-next').click();

    await page.getByTestId('wizard-step-audience').waitFor();
    await page.getByRole('button', { name: 'Add condition' }).click();
    await page.getByRole('menuitem', { name: 'Attribute' }).click();
    await page.getByLabel('Attribute name').fill('name');
    await page.getByLabel('Value', { exact: true }).fill(RECIPIENT.name);
    // The live estimate: one profile, one sendable ID.
    await expect.poll(async () => (await page.getByTestId('estimate').locator('.ant-statistic-content-value').allInnerTexts()).join(','), { timeout: 15_000 }).toBe('1,1');
    await shot(page, 'flow-02-audience');
    await page.getByTestId('wizard-next').click();

    // The nearest whole minute (the picker's precision) at least 30 s ahead: still in the future when the
    // task is submitted a few seconds later, and at most ~90 s of waiting for the run.
    await page.getByTestId('wizard-step-trigger').waitFor();
    const sendAt = new Date(Math.ceil((Date.now() + 30_000) / 60_000) * 60_000);
    await page.locator('[id="trigger.sendAt"]').click();
    await page.locator('[id="trigger.sendAt"]').fill(wallTime(sendAt));
    await page.keyboard.press('Enter');
    await page.getByRole('radio', { name: 'Run as soon as it is approved' }).check();
    await page.getByTestId('timing-preview').getByText(/Sends at/).waitFor();
    await shot(page, 'flow-03-trigger');
    await page.getByTestId('wizard-next').click();

    await page.getByTestId('wizard-step-delivery').waitFor();
    await pickOption(page, 'delivery.channelId', 'WhatsApp Sandbox (WABA 102290129340398)', async () => (await page.locator('[id="delivery.phoneNumberId"]').count()) > 0 && !(await page.getByText('Choose a channel').isVisible()));
    const buttonTitle = page.locator('[id="delivery.content.buttons.0.title"]');
    for (let i = 0; i < 5 && !(await buttonTitle.isVisible()); i++) {
      await page.getByTestId('content-type').click();
      await page.locator('.ant-select-item-option[title="Reply buttons"]').waitFor();
      await page.waitForTimeout(300);
      await page.locator('.ant-select-item-option[title="Reply buttons"]').click();
      await buttonTitle.waitFor({ timeout: 3000 }).catch(() => undefined);
    }
    await page.locator('[id="delivery.content.body"]').fill('Hi {{attr.name | "there"}}, *Double 11* starts tonight. Want a reminder?');
    await buttonTitle.fill(BUTTON);
    await page.getByTestId('phone').getByText(BUTTON).waitFor();
    await shot(page, 'flow-04-delivery');
    await page.getByTestId('wizard-next').click();

    await page.getByTestId('wizard-step-summary').waitFor();
    await shot(page, 'flow-05-summary');
    await page.getByTestId('wizard-submit').click();
    await page.waitForURL((u) => /^\/tasks\/[^/]+$/.test(u.pathname) && u.pathname !== '/tasks/new');
    const taskId = new URL(page.url()).pathname.split('/')[2] ?? '';
    await page.getByText(/Pending approval/i).first().waitFor();
    await shot(page, 'flow-06-submitted');

    await page.getByRole('button', { name: /Log out/ }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/login'));

    // The approver approves it from the inbox.
    await login(page, server.url, APPROVER);
    await page.goto(`${server.url}/approvals`);
    const item = page.getByTestId('approval-item').filter({ hasText: name });
    await item.waitFor();
    await shot(page, 'flow-07-inbox');
    await item.getByTestId('approve').click();
    await page.locator('.ant-message').getByText('Approved').waitFor();
    await item.waitFor({ state: 'detached' });
    await shot(page, 'flow-08-approved');

    // The in-process worker runs it at the send time (or at once when approved after it).
    const approver = await apiSession(server.url, APPROVER);
    type Stats = { sent?: number; clicks?: { total?: number } };
    await until('the run to send', 150_000, async () => {
      const s = await approver.call<Stats>('GET', `/api/v1/tasks/${taskId}/stats`);
      return (s.sent ?? 0) > 0 ? s : undefined;
    });

    // The sandbox phone shows the message with its button; the recipient taps it.
    await page.goto(`${server.url}/sandbox`);
    const conv = page.getByTestId('sandbox-conversation').filter({ hasText: RECIPIENT.phone });
    await conv.waitFor();
    await conv.click();
    const phone = page.getByTestId('phone');
    const bubble = phone.getByTestId('phone-message').filter({ hasText: 'Double 11' });
    await bubble.waitFor();
    await expect(bubble.getByText('Hi Customer 7', { exact: false }).count()).resolves.toBeGreaterThan(0);
    await shot(page, 'flow-09-sandbox-message');
    const before = await phone.getByTestId('phone-message').count();
    await bubble.getByText(BUTTON).click();
    await page.locator('.ant-message').getByText('Reply sent', { exact: false }).waitFor();
    await expect.poll(() => phone.getByTestId('phone-message').count(), { timeout: 10_000 }).toBeGreaterThan(before);
    await shot(page, 'flow-10-sandbox-tapped');

    // The click reaches the report.
    await until('the click in the stats', 60_000, async () => {
      const s = await approver.call<Stats>('GET', `/api/v1/tasks/${taskId}/stats`);
      return (s.clicks?.total ?? 0) > 0 ? s : undefined;
    });
    await page.goto(`${server.url}/tasks/${taskId}/report`);
    const clicked = page.getByTestId('stat-reports.clicked');
    await clicked.waitFor();
    expect(await clicked.locator('.ant-statistic-content-value').innerText()).toBe('1');
    await page.getByTestId('report').getByRole('cell', { name: BUTTON }).waitFor();
    await shot(page, 'flow-11-report-en');

    await page.getByTestId('lang-switch').click();
    await page.getByRole('menuitem', { name: '简体中文' }).click();
    await page.getByTestId('report').getByText('按按钮统计的点击').waitFor();
    expect(await page.getByTestId('stat-reports.clicked').locator('.ant-statistic-content-value').innerText()).toBe('1');
    await shot(page, 'flow-12-report-zh');

    // antd's own deprecation notices (e.g. List → Listy in antd 6.6) are not failures of the flow.
    expect([...new Set(errors.filter((e) => !/Failed to load resource|Warning: \[antd: \w+\] .*deprecated/.test(e)))]).toEqual([]);
    await page.close();
  }, 240_000);
});
