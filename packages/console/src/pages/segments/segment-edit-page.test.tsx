import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderPage, stubApi } from '../../test-support';
import { SegmentEditPage } from './segment-edit-page';

const csvSegment = { id: 's1', name: 'VIP list', kind: 'csv', rule: null, refresh: { mode: 'on_demand', time: null }, visibleInList: true, authorisedRoleIds: null, memberCount: 3, sendCount: 0 };

beforeEach(() => {
  stubApi((c) => (c.path === '/api/v1/segments/s1' ? csvSegment : c.path === '/api/v1/roles' ? [] : c.path === '/api/v1/segments' ? { items: [], total: 0 } : c.path === '/api/v1/segments/estimate' ? { oneIds: 3000, sendIds: 2641 } : { events: [], attributes: [], tags: [] }));
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const renderAt = (path: string, lang: 'en' | 'zh' = 'en') => renderPage(<SegmentEditPage />, { lang, path, route: path === '/segments/new' ? '/segments/new' : '/segments/:id' });

describe('the CSV segment page', () => {
  it('offers the server\'s header-only template, never a file holding a sample number', async () => {
    renderAt('/segments/s1');
    const link = (await screen.findByTestId('csv-template')) as HTMLAnchorElement;
    expect(link.getAttribute('href')).toBe('/api/v1/segments/csv-template');
    expect(link.hasAttribute('download')).toBe(true);
    expect(link.textContent).toContain('Download the template (header line only)');
    expect(document.querySelector('a[href^="data:"]')).toBeNull();
    expect(screen.getByTestId('segment-members').textContent).toBe('Members now: 3');
  });

  it('says which columns the file takes', async () => {
    renderAt('/segments/s1');
    const columns = within(await screen.findByTestId('csv-columns'));
    expect(columns.getByText('The first line of the file names its columns:')).toBeTruthy();
    expect(columns.getByText('phone')).toBeTruthy();
    expect(columns.getByText(/^required: one WhatsApp number per line/)).toBeTruthy();
    expect(columns.getByText('id')).toBeTruthy();
    expect(columns.getByText(/^optional: the One-ID of an existing customer profile/)).toBeTruthy();
  });

  it('shows the columns and the template before the new segment is saved, in Chinese too', async () => {
    renderAt('/segments/new', 'zh');
    fireEvent.click(await screen.findByRole('radio', { name: 'CSV 名单' }));
    expect((await screen.findByTestId('csv-template')).getAttribute('href')).toBe('/api/v1/segments/csv-template');
    expect(screen.getByText('下载模板（仅含表头）')).toBeTruthy();
    expect(within(screen.getByTestId('csv-columns')).getByText(/^必填：每行一个 WhatsApp 号码/)).toBeTruthy();
    expect(screen.getByText('请先保存分群，再上传文件。')).toBeTruthy();
  });
});

describe('a new rule segment', () => {
  it('says that a rule without conditions reaches everyone', async () => {
    renderAt('/segments/new');
    expect(await screen.findByText('No condition yet: the audience is every profile. Add a condition to narrow it.')).toBeTruthy();
  });

  it('says truly who sees a segment when no role is chosen', async () => {
    renderAt('/segments/new', 'zh');
    expect(await screen.findByText('不选时，所有可查看分群的角色都能看到。管理员和创建者始终可见。')).toBeTruthy();
  });
});
