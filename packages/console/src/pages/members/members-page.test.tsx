import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderPage, stubApi } from '../../test-support';
import { MembersPage } from './members-page';

const roles = [
  { id: 'r-analyst', name: 'analyst', builtin: true, permissions: ['channel.view', 'report.view'] },
  { id: 'r-custom', name: 'night shift', builtin: false, permissions: ['task.view'] },
];
const member = { id: 'm2', email: 'bo@b.c', name: 'Bo', roleId: 'r-analyst', disabled: false, createdAt: '2026-01-01T00:00:00Z' };

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

function renderMembers() {
  const calls = stubApi((c) => {
    if (c.path === '/api/v1/roles') return roles;
    if (c.path === '/api/v1/members') return [member];
    if (c.path === '/api/v1/permissions') return [{ name: 'channel.view', description: 'View WhatsApp channels and templates' }, { name: 'report.view', description: 'View reports and analytics' }, { name: 'later.added', description: 'Something newer than this console' }];
    return c.method === 'GET' ? [] : member;
  });
  renderPage(<MembersPage />, { lang: 'zh' });
  return calls;
}

describe('members and roles', () => {
  it('explains each permission in the console\'s language, keeping the server\'s words for one it does not know', async () => {
    renderMembers();
    fireEvent.click(await screen.findByRole('tab', { name: '角色' }));
    expect((await screen.findAllByText('report.view'))[0]!.getAttribute('title')).toBe('查看数据报告和分析');
    fireEvent.click(screen.getByRole('button', { name: '添加角色' }));
    const dialog = within(await screen.findByRole('dialog'));
    expect(await dialog.findByText(/查看 WhatsApp 渠道和模板/)).toBeTruthy();
    expect(dialog.getByText(/Something newer than this console/)).toBeTruthy();
    expect(dialog.queryByText(/View reports and analytics/)).toBeNull();
  });

  it('keeps the actions column wide enough for its title when built-in roles leave it empty', async () => {
    renderMembers();
    fireEvent.click(await screen.findByRole('tab', { name: '角色' }));
    const table = (await screen.findByText('night shift')).closest('table')!;
    const widths = [...table.querySelectorAll('col')].map((c) => c.style.width);
    expect(widths.at(-1)).toBe('160px');
  });

  it('shows enabling or disabling a member on its button and says when it is done', async () => {
    const calls = renderMembers();
    fireEvent.click(await screen.findByRole('button', { name: /^停\s?用$/ }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH' && c.path === '/api/v1/members/m2')).toBe(true));
    expect(await screen.findByText('已保存')).toBeTruthy();
  });

  it('opens every add and edit dialog without antd warning of a form that is not connected', async () => {
    renderMembers();
    const error = vi.spyOn(console, 'error');
    const warn = vi.spyOn(console, 'warn');
    const open = async (row: string, button: string | RegExp, field: string, expected: string) => {
      const scope = row ? within((await screen.findByText(row)).closest('tr')!) : screen;
      fireEvent.click(await scope.findByRole('button', { name: button }));
      const dialog = (await screen.findAllByRole('dialog')).at(-1)!;
      expect((within(dialog).getByLabelText(field) as HTMLInputElement).value).toBe(expected);
      fireEvent.click(within(dialog).getByRole('button', { name: /^(Cancel|取\s?消)$/ }));
    };
    await open('', '添加成员', '姓名', '');
    await open('bo@b.c', /^编\s?辑$/, '姓名', 'Bo');
    fireEvent.click(screen.getByRole('tab', { name: '角色' }));
    await open('', '添加角色', '名称', '');
    await open('night shift', /^编\s?辑$/, '名称', 'night shift');
    fireEvent.click(screen.getByRole('tab', { name: 'API 密钥' }));
    await open('', '创建 API 密钥', '名称', '');
    // antd checks for the missing Form on a zero-delay timer after the call.
    await new Promise((r) => setTimeout(r, 0));
    for (const spy of [error, warn]) expect(spy.mock.calls.flat().join('\n')).not.toContain('not connected to any Form element');
  });
});
