import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderPage, stubApi } from '../../test-support';
import { TemplatesPage } from './templates-page';

const channel = { id: 'ch1', name: 'Main', wabaId: '1000', phoneNumbers: [], status: 'active' };

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('the templates page', () => {
  it('opens the create dialog without antd warning of a form that is not connected', async () => {
    stubApi((c) => (c.path === '/api/v1/channels/whatsapp' ? { items: [channel], total: 1 } : { items: [], total: 0 }));
    const error = vi.spyOn(console, 'error');
    const warn = vi.spyOn(console, 'warn');
    renderPage(<TemplatesPage />);
    const create = await screen.findByRole('button', { name: 'Create template' });
    await vi.waitFor(() => expect(create.hasAttribute('disabled')).toBe(false));
    fireEvent.click(create);
    const dialog = within(await screen.findByRole('dialog'));
    expect((dialog.getByLabelText('Language') as HTMLInputElement).value).toBe('en_US');
    // antd checks for the missing Form on a zero-delay timer after the call.
    await new Promise((r) => setTimeout(r, 0));
    for (const spy of [error, warn]) expect(spy.mock.calls.flat().join('\n')).not.toContain('not connected to any Form element');
  });
});
