/**
 * Shared set-up for component tests: the providers every page needs, and a fetch stub answering by
 * path so a page can be rendered without a server.
 */
import { render } from '@testing-library/react';
import { App as AntApp } from 'antd';
import type { ReactNode } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { vi } from 'vitest';
import { SessionProvider } from './auth/session';
import type { Lang } from './i18n/define-messages';
import { I18nProvider } from './i18n/i18n';

export const adminSession = {
  member: { id: 'm1', email: 'a@b.c', name: 'Ann', roleId: 'admin', disabled: false, createdAt: '2026-01-01T00:00:00Z' },
  permissions: ['channel.view', 'channel.manage', 'task.view', 'task.edit', 'segment.view', 'segment.edit', 'report.view', 'customer.view', 'member.manage', 'group.manage'],
  settings: null,
};

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

/** Stubs `fetch`: `answer` gets each call and returns (or resolves to) the JSON body. */
export function stubApi(answer: (call: Call) => unknown): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit = {}) => {
    const [path = '', qs = ''] = url.split('?');
    const call = { method: init.method ?? 'GET', path, query: new URLSearchParams(qs), body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined };
    calls.push(call);
    return new Response(JSON.stringify((await answer(call)) ?? null), { status: 200, headers: { 'content-type': 'application/json' } });
  }));
  return calls;
}

/** Renders `element` at `path` (matched against `route`) inside the console's providers. */
export function renderPage(element: ReactNode, { lang = 'en', path = '/', route = '/' }: { lang?: Lang; path?: string; route?: string } = {}) {
  return render(
    <I18nProvider lang={lang}>
      <SessionProvider initial={adminSession}>
        <AntApp>
          <MemoryRouter initialEntries={[path]}>
            <Routes>
              <Route path={route} element={element} />
            </Routes>
          </MemoryRouter>
        </AntApp>
      </SessionProvider>
    </I18nProvider>,
  );
}
