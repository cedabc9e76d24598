/**
 * The console's operational pages in a browser, against a real `wareach start` with the WhatsApp sandbox:
 * a channel created from the sandbox's connection details, edited and checked (secrets never shown back);
 * templates synced into it, a new one with a body variable submitted and approved by the sandbox's review;
 * a test send of that template from the wizard's delivery step, seen on the sandbox phone; and a CSV
 * audience whose refused lines are reported by line number and reason. Everything is done through the UI;
 * the API is only read to check the effect.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, apiSession, launchBrowser, login, pickOption as pick, shot, startServer, watchErrors, type RunningServer } from './harness';

// Demo data is seeded the same on every install: "Customer 2" (demo-00002) has this WhatsApp number.
const RECIPIENT = { name: 'Customer 2', phone: '+5511900105963' };
const ZONE = 'Asia/Shanghai';
const RUN = Date.now().toString(36);
const CHANNEL = `Ops channel ${RUN}`;
const CHANNEL_EDITED = `${CHANNEL} (edited)`;
// A phone-number ID the sandbox does not know: the check must say so for that number only.
const UNKNOWN_NUMBER = '999000111222';
const TEMPLATE = `ops_offer_${RUN}`;
const BUTTON = 'Show me';
const TEMPLATE_BODY = `Hi {{1}}, your offer ${RUN} is ready: 20% off until Sunday.`;

let server: RunningServer;
let browser: Browser;
let page: Page;
let errors: string[];
let api: <T>(path: string) => Promise<T>;
/** What the sandbox page shows for connecting a channel to it. */
const sandbox = { graphUrl: '', wabaId: '', phoneNumberId: '', token: '', appSecret: '' };
let channelId = '';

const pickOption = (field: string, title: string, done: () => Promise<boolean>) => pick(page, field, title, done);

/** The value an antd Select shows, found by its input's id ('' while there is none). */
const selected = (id: string) => page.locator('.ant-select').filter({ has: page.locator(`[id="${id}"]`) }).locator('.ant-select-content').innerText({ timeout: 2000 }).catch(() => '');

/** A screenshot once nothing is loading and the loading veil has faded. */
async function snap(name: string) {
  await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
  await page.waitForTimeout(300);
  await shot(page, name);
}

const toast = (text: string | RegExp) => page.locator('.ant-message').getByText(text).first().waitFor();

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const session = await apiSession(server.url, ADMIN);
  api = <T>(path: string) => session.call<T>('GET', path);
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  errors = watchErrors(page);
  await page.goto(`${server.url}/login`);
  await page.evaluate(() => localStorage.setItem('wareach.lang', 'en'));
  await login(page, server.url);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('operations through the console', () => {
  it('creates a channel from the sandbox connection details, edits it and checks the connection', async () => {
    await page.goto(`${server.url}/sandbox`);
    await page.getByRole('button', { name: 'Connect a channel to this sandbox' }).click();
    const read = async (id: string) => (await page.getByTestId(id).first().innerText()).trim();
    await page.getByTestId('sandbox-access-token').waitFor();
    Object.assign(sandbox, {
      graphUrl: await read('sandbox-graph-url'),
      wabaId: await read('sandbox-waba-id'),
      phoneNumberId: await read('sandbox-phone-number-id'),
      token: await read('sandbox-access-token'),
      appSecret: await read('sandbox-app-secret'),
    });
    expect(sandbox.graphUrl).toBe(`${server.url}/sandbox/graph`);
    expect(sandbox.token).not.toBe('');
    await snap('ops-01-sandbox-connection');

    await page.goto(`${server.url}/channels`);
    await page.getByRole('button', { name: 'Add channel' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill(CHANNEL);
    await dialog.getByLabel('WABA ID').fill(sandbox.wabaId);
    await dialog.getByLabel('Access token').fill(sandbox.token);
    await dialog.getByLabel('App secret').fill(sandbox.appSecret);
    await dialog.getByLabel('Graph API base URL').fill(sandbox.graphUrl);
    await dialog.getByLabel('Phone number ID').fill(sandbox.phoneNumberId);
    await dialog.getByLabel('Display number').fill('+1 555-078-3881');
    await dialog.getByLabel('Throughput').fill('20');
    await pickOption('phoneNumbers_0_tier', 'Unlimited', async () => (await selected('phoneNumbers_0_tier')) === 'Unlimited');
    await snap('ops-02-channel-form');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await toast('Saved');
    const card = page.getByTestId('channel').filter({ hasText: CHANNEL });
    await card.waitFor();
    await expect(card.getByText('Access token: stored').count()).resolves.toBe(1);
    await expect(card.getByTestId('channel-tier').innerText()).resolves.toBe('Unlimited');

    type ChannelView = { id: string; name: string; baseUrl: string; apiVersion: string; phoneNumbers: { phoneNumberId: string; throughput: number; tier: string }[]; hasAccessToken: boolean; hasAppSecret: boolean; hasVerifyToken: boolean };
    const channels = await api<{ items: ChannelView[] }>('/api/v1/channels/whatsapp');
    const created = channels.items.find((c) => c.name === CHANNEL);
    expect(created).toMatchObject({ baseUrl: sandbox.graphUrl, apiVersion: 'v23.0', hasAccessToken: true, hasAppSecret: true, hasVerifyToken: true, phoneNumbers: [{ phoneNumberId: sandbox.phoneNumberId, throughput: 20, tier: 'TIER_UNLIMITED' }] });
    channelId = created!.id;
    // Secrets are write-only: neither the API nor the page ever shows them back.
    expect(JSON.stringify(channels)).not.toContain(sandbox.token);

    // Edit: rename, add a number the sandbox does not know; the secret fields open empty and stay stored.
    await card.getByRole('button', { name: 'Edit' }).click();
    await expect(dialog.getByLabel('Name', { exact: true }).inputValue()).resolves.toBe(CHANNEL);
    await expect(dialog.getByLabel('Access token').inputValue()).resolves.toBe('');
    await expect(dialog.getByLabel('App secret').inputValue()).resolves.toBe('');
    await dialog.getByLabel('Name', { exact: true }).fill(CHANNEL_EDITED);
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.getByLabel('Phone number ID').nth(1).fill(UNKNOWN_NUMBER);
    await dialog.getByLabel('Display number').nth(1).fill('+1 555-000-0000');
    await snap('ops-03-channel-edit');
    expect(await page.content()).not.toContain(sandbox.token);
    await dialog.getByRole('button', { name: 'OK' }).click();
    await toast('Saved');
    const edited = page.getByTestId('channel').filter({ hasText: CHANNEL_EDITED });
    await edited.getByRole('cell', { name: UNKNOWN_NUMBER }).waitFor();
    const after = await api<ChannelView>(`/api/v1/channels/whatsapp/${channelId}`);
    expect(after).toMatchObject({ name: CHANNEL_EDITED, hasAccessToken: true, hasAppSecret: true });
    // The stored number keeps its tier and throughput through an edit that did not touch them.
    expect(after.phoneNumbers).toMatchObject([{ phoneNumberId: sandbox.phoneNumberId, throughput: 20, tier: 'TIER_UNLIMITED' }, { phoneNumberId: UNKNOWN_NUMBER, throughput: 80, tier: 'TIER_250' }]);

    // The check reads every number through the Graph API: the known one answers, the unknown one is refused.
    await edited.getByRole('button', { name: 'Check connection' }).click();
    const answer = edited.getByTestId('check-result');
    await answer.getByText('WhatsApp refused the check for at least one number').waitFor();
    await answer.getByText(`${sandbox.phoneNumberId}: +1 555-078-3881 · Wareach Sandbox`, { exact: false }).waitFor();
    await answer.getByText(new RegExp(`^${UNKNOWN_NUMBER}: \\(#\\d+\\)`)).waitFor();
    await snap('ops-04-channel-check-failed');

    // Remove the unknown number: the check passes.
    await edited.getByRole('button', { name: 'Edit' }).click();
    await dialog.getByRole('button', { name: 'Remove' }).nth(1).click();
    await dialog.getByRole('button', { name: 'OK' }).click();
    await toast('Saved');
    await edited.getByRole('cell', { name: UNKNOWN_NUMBER }).waitFor({ state: 'detached' });
    // The answer given for the old settings is gone.
    await expect(answer.count()).resolves.toBe(0);
    await edited.getByRole('button', { name: 'Check connection' }).click();
    await answer.getByText('Connection works').waitFor();
    await snap('ops-05-channel-check-ok');
  }, 90_000);

  it('syncs templates into the new channel, submits one with a body variable and sees it approved', async () => {
    type TemplateView = { name: string; status: string; components: unknown[] };
    await page.goto(`${server.url}/templates`);
    await pickOption('templates-channel', CHANNEL_EDITED, async () => (await selected('templates-channel')) === CHANNEL_EDITED);
    const rows = page.locator('.ant-table-tbody tr.ant-table-row');
    await page.locator('.ant-table-placeholder').waitFor();
    await page.getByRole('button', { name: 'Sync from WhatsApp' }).click();
    await toast('Templates synced');
    await page.getByRole('cell', { name: 'hello_world' }).waitFor();
    const synced = await api<{ items: TemplateView[] }>(`/api/v1/templates?channelId=${channelId}`);
    expect(synced.items.length).toBeGreaterThan(0);
    await expect.poll(() => rows.count()).toBe(synced.items.length);
    await snap('ops-06-templates-synced');

    await page.getByRole('button', { name: 'Create template' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill(TEMPLATE);
    await dialog.getByLabel('Body', { exact: true }).fill(TEMPLATE_BODY);
    // One example field per variable appears as the body is typed.
    await dialog.getByLabel('Example for {{1}} in the body').fill('Ann');
    await dialog.getByLabel('Footer (optional)').fill('Reply STOP to opt out');
    const replies = dialog.getByLabel('Quick-reply buttons (optional)');
    await replies.fill(BUTTON);
    await replies.press('Enter');
    await snap('ops-07-template-form');
    // The JSON view starts from the form, for what the form does not offer (URL buttons, media headers).
    await dialog.getByText('JSON (advanced)').click();
    const json = JSON.parse(await dialog.getByLabel('Components (JSON)').inputValue()) as unknown[];
    expect(json).toEqual([
      { type: 'BODY', text: TEMPLATE_BODY, example: { body_text: [['Ann']] } },
      { type: 'FOOTER', text: 'Reply STOP to opt out' },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: BUTTON }] },
    ]);
    await snap('ops-08-template-json');
    await dialog.getByText('Form', { exact: true }).click();
    await dialog.getByLabel('Body', { exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'OK' }).click();
    await toast('Template submitted for review');
    const row = rows.filter({ hasText: TEMPLATE });
    await row.getByText('PENDING').waitFor();
    await snap('ops-09-template-pending');

    // The sandbox reviews a new template a few seconds after it is created; a sync brings the verdict.
    await expect
      .poll(async () => {
        await page.getByRole('button', { name: 'Sync from WhatsApp' }).click();
        await page.waitForLoadState('networkidle');
        return row.locator('.ant-tag').innerText();
      }, { timeout: 30_000, interval: 2000 })
      .toBe('APPROVED');
    await snap('ops-10-template-approved');
    const mine = (await api<{ items: TemplateView[] }>(`/api/v1/templates?channelId=${channelId}&q=${TEMPLATE}`)).items;
    expect(mine).toMatchObject([{ name: TEMPLATE, status: 'APPROVED' }]);
    expect(mine[0]!.components).toContainEqual({ type: 'BODY', text: TEMPLATE_BODY, example: { body_text: [['Ann']] } });
  }, 60_000);

  it('test-sends the template from the wizard and sees it on the sandbox phone', async () => {
    await page.goto(`${server.url}/tasks/new`);
    await page.getByTestId('wizard-step-channel').waitFor();
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('task-name').fill(`Ops test send ${RUN}`);
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('wizard-step-audience').waitFor();
    await page.getByRole('button', { name: 'Add condition' }).click();
    await page.getByRole('menuitem', { name: 'Attribute' }).click();
    await page.getByLabel('Attribute name').fill('name');
    await page.getByLabel('Value', { exact: true }).fill(RECIPIENT.name);
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('wizard-step-trigger').waitFor();
    const wall = new Intl.DateTimeFormat('sv-SE', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(new Date(Date.now() + 2 * 3600_000));
    await page.locator('[id="trigger.sendAt"]').click();
    await page.locator('[id="trigger.sendAt"]').fill(wall);
    await page.keyboard.press('Enter');
    await page.getByTestId('timing-preview').getByText(/Sends at/).waitFor();
    await page.getByTestId('wizard-next').click();

    await page.getByTestId('wizard-step-delivery').waitFor();
    await pickOption('delivery.channelId', `${CHANNEL_EDITED} (WABA ${sandbox.wabaId})`, async () => (await selected('delivery.channelId')).startsWith(CHANNEL_EDITED));
    await pickOption('delivery.content.type', 'Template', async () => (await page.locator('[id="delivery.content.template"]').count()) > 0);
    await pickOption('delivery.content.template', `${TEMPLATE} (en_US, MARKETING)`, async () => (await selected('delivery.content.template')).startsWith(TEMPLATE));
    const slot = 'delivery.content.bindings.body.1';
    await pickOption(slot, 'Attribute', async () => (await page.locator(`[id="${slot}.name"]`).count()) > 0);
    await page.locator(`[id="${slot}.name"]`).fill('name');
    await page.locator(`[id="${slot}.default"]`).fill('there');

    const testTo = page.getByLabel('Test numbers');
    await testTo.fill(RECIPIENT.phone);
    await testTo.press('Enter');
    await page.getByRole('button', { name: 'Send test' }).click();
    const results = page.getByTestId('test-send-results');
    await results.getByText(`${RECIPIENT.phone}: accepted by WhatsApp`).waitFor();
    await snap('ops-11-test-send');

    type TestSend = { recipient: string; state: string; channelId: string; content: { type: string; template?: { name: string } } };
    const sends = (await api<{ items: TestSend[] }>('/api/v1/messages/test')).items;
    expect(sends[0]).toMatchObject({ recipient: RECIPIENT.phone, channelId, content: { type: 'template', template: { name: TEMPLATE } } });
    expect(sends[0]!.state).not.toBe('failed');

    // The message arrives on the sandbox phone, personalised with the profile's name.
    await page.goto(`${server.url}/sandbox`);
    const conv = page.getByTestId('sandbox-conversation').filter({ hasText: RECIPIENT.phone.slice(1) });
    await conv.waitFor();
    await conv.click();
    const bubble = page.getByTestId('phone').getByTestId('phone-message').filter({ hasText: TEMPLATE_BODY.replace('{{1}}', RECIPIENT.name) });
    await bubble.waitFor();
    await bubble.getByText(BUTTON).waitFor();
    await snap('ops-12-sandbox-phone');
  }, 60_000);

  it('uploads a CSV audience and reports each refused line with its number and reason', async () => {
    const name = `Ops CSV ${RUN}`;
    await page.goto(`${server.url}/segments/new`);
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByRole('radio', { name: 'CSV list' }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL((u) => /^\/segments\/[^/]+$/.test(u.pathname) && u.pathname !== '/segments/new');
    const segmentId = new URL(page.url()).pathname.split('/')[2] ?? '';
    await page.getByTestId('segment-members').getByText('Members now: 0').waitFor();

    // The template is the server's: the header and no sample number that would become a member.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-template').click()]);
    expect(download.suggestedFilename()).toBe('wareach-audience-template.csv');
    await expect(readFile(await download.path(), 'utf8')).resolves.toBe('phone,id\n');

    const csv = [
      'phone,id', // line 1: the header
      '+8613800000001,', // 2: accepted
      `${RECIPIENT.phone},demo-00002`, // 3: accepted, tied to the profile
      '12345,', // 4: not an international number
      '+8613800000001,', // 5: a duplicate of line 2, merged
      '', // 6: blank, skipped
      '+8613800000003', // 7: one field where the header has two
      ',demo-00003', // 8: no phone
      '+8613800000004,nobody-here', // 9: an ID no profile has
      '0086 138 0000 0005,', // 10: accepted (00 means +)
    ].join('\n');
    await page.locator('input[type="file"]').setInputFiles({ name: 'audience.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByText('3 numbers accepted, 1 duplicates merged, 4 lines refused').waitFor();
    const report = page.getByTestId('csv-errors');
    const lines = await report.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(lines.map(([line]) => line)).toEqual(['4', '7', '8', '9']);
    expect(lines.map(([, reason]) => reason)).toEqual([
      expect.stringMatching(/^phone "12345" must start with \+ or 00/),
      'has 1 field; the header has 2',
      'phone is empty',
      expect.stringMatching(/^id "nobody-here": no profile has this one-ID/),
    ]);
    await page.getByTestId('segment-members').getByText('Members now: 3').waitFor();
    await snap('ops-13-csv-report');

    expect(await api<{ memberCount: number }>(`/api/v1/segments/${segmentId}`)).toMatchObject({ memberCount: 3 });
    await page.goto(`${server.url}/segments`);
    await page.getByLabel('Search segments').fill(name);
    await page.getByLabel('Search segments').press('Enter');
    await page.waitForLoadState('networkidle');
    const row = page.locator('.ant-table-tbody tr.ant-table-row').filter({ hasText: name });
    await row.waitFor();
    await expect(row.locator('td').nth(3).innerText()).resolves.toBe('3');
    await snap('ops-14-segments-list');

    // antd's own deprecation notices are not failures of the flows.
    expect([...new Set(errors.filter((e) => !/Failed to load resource|Warning: \[antd: \w+\] .*deprecated/.test(e)))]).toEqual([]);
  }, 60_000);
});
