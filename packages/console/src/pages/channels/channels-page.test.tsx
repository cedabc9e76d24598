import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderPage as render, stubApi, type Call } from '../../test-support';
import { ChannelsPage } from './channels-page';

/** A channel as the server's view gives it: two numbers, neither on the default tier. */
const channel = {
  id: 'ch1',
  name: 'Main',
  wabaId: '1000',
  phoneNumbers: [
    { phoneNumberId: '111', displayNumber: '+1 555 000 0001', throughput: 1000, tier: 'TIER_UNLIMITED' },
    { phoneNumberId: '222', displayNumber: '+1 555 000 0002', throughput: 20, tier: 'TIER_10K' },
  ],
  baseUrl: 'https://graph.facebook.com',
  apiVersion: 'v23.0',
  status: 'active',
  hasAccessToken: true,
  hasAppSecret: true,
  hasVerifyToken: true,
};

let calls: Call[];

beforeEach(() => {
  calls = stubApi((c) => (c.method === 'GET' ? { items: [channel], total: 1 } : channel));
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const renderPage = (lang: 'en' | 'zh' = 'en') => render(<ChannelsPage />, { lang });

const patches = () => calls.filter((c) => c.method === 'PATCH');

describe('the channels page', () => {
  it('shows each number\'s messaging limit and throughput on the card', async () => {
    renderPage();
    const card = within(await screen.findByTestId('channel'));
    expect(card.getAllByTestId('channel-tier').map((e) => e.textContent)).toEqual(['Unlimited', '10,000 customers / 24 h']);
    expect(card.getByText('1000 msg/s')).toBeTruthy();
    expect(card.getByText('20 msg/s')).toBeTruthy();
  });

  it('opens the edit form with the stored tiers and throughputs, and sends them back unchanged', async () => {
    renderPage();
    fireEvent.click(within(await screen.findByTestId('channel')).getByRole('button', { name: 'Edit' }));
    const rows = await screen.findAllByTestId('channel-number');
    expect(rows).toHaveLength(2);
    expect((within(rows[0]!).getByLabelText('Throughput') as HTMLInputElement).value).toBe('1000');
    expect(rows[0]!.querySelector('.ant-select')?.textContent).toContain('Unlimited');
    expect((within(rows[1]!).getByLabelText('Throughput') as HTMLInputElement).value).toBe('20');
    expect(rows[1]!.querySelector('.ant-select')?.textContent).toContain('10,000 customers / 24 h');

    fireEvent.click(screen.getByRole('button', { name: 'OK' }));
    await waitFor(() => expect(patches()).toHaveLength(1));
    expect(patches()[0]).toMatchObject({
      path: '/api/v1/channels/whatsapp/ch1',
      body: {
        name: 'Main',
        phoneNumbers: [
          { phoneNumberId: '111', displayNumber: '+1 555 000 0001', throughput: 1000, tier: 'TIER_UNLIMITED' },
          { phoneNumberId: '222', displayNumber: '+1 555 000 0002', throughput: 20, tier: 'TIER_10K' },
        ],
      },
    });
  });

  it('lets the operator change a tier, and gives a new number the server\'s defaults in view', async () => {
    renderPage();
    fireEvent.click(within(await screen.findByTestId('channel')).getByRole('button', { name: 'Edit' }));
    const [first] = await screen.findAllByTestId('channel-number');
    fireEvent.mouseDown(first!.querySelector('.ant-select')!);
    fireEvent.click(await screen.findByTitle('100,000 customers / 24 h'));
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    const rows = await screen.findAllByTestId('channel-number');
    expect(rows).toHaveLength(3);
    expect((within(rows[2]!).getByLabelText('Throughput') as HTMLInputElement).value).toBe('80');
    expect(rows[2]!.querySelector('.ant-select')?.textContent).toContain('250 customers / 24 h');
    fireEvent.change(within(rows[2]!).getByLabelText('Phone number ID'), { target: { value: '333' } });
    fireEvent.change(within(rows[2]!).getByLabelText('Display number'), { target: { value: '+1 555 000 0003' } });

    fireEvent.click(screen.getByRole('button', { name: 'OK' }));
    await waitFor(() => expect(patches()).toHaveLength(1));
    expect((patches()[0]!.body as { phoneNumbers: unknown[] }).phoneNumbers).toEqual([
      { phoneNumberId: '111', displayNumber: '+1 555 000 0001', throughput: 1000, tier: 'TIER_100K' },
      { phoneNumberId: '222', displayNumber: '+1 555 000 0002', throughput: 20, tier: 'TIER_10K' },
      { phoneNumberId: '333', displayNumber: '+1 555 000 0003', throughput: 80, tier: 'TIER_250' },
    ]);
  });

  it('does not offer to keep the secrets of a channel that has none yet', async () => {
    renderPage();
    await screen.findByTestId('channel');
    fireEvent.click(screen.getByRole('button', { name: 'Add channel' }));
    const dialog = within(await screen.findByRole('dialog'));
    expect(dialog.getAllByText('Stored encrypted and never shown again.')).toHaveLength(2);
    expect(dialog.getByText('Stored encrypted and never shown again; generated when left empty.')).toBeTruthy();
    expect(dialog.queryByText(/keep the current one/)).toBeNull();
  });

  it('speaks Chinese', async () => {
    renderPage('zh');
    const card = within(await screen.findByTestId('channel'));
    expect(card.getAllByTestId('channel-tier').map((e) => e.textContent)).toEqual(['不限', '10,000 位客户 / 24 小时']);
    expect(card.getByText('消息限额')).toBeTruthy();
    expect(card.getByText('1000 条/秒')).toBeTruthy();
  });
});
