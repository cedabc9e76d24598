import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderPage, stubApi } from '../../test-support';
import { GroupsPage } from './groups-page';

const group = { id: 'g1', name: 'Spring', createdAt: '2026-01-01T00:00:00Z' };
const activity = { id: 'a1', name: 'Launch', description: 'Week one', startsAt: '2026-03-01T00:00:00Z', endsAt: null, createdAt: '2026-01-01T00:00:00Z' };

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('groups and activities', () => {
  it('opens every add and edit dialog without antd warning of a form that is not connected', async () => {
    stubApi((c) => (c.path === '/api/v1/groups' ? [group] : c.path === '/api/v1/activities' ? [activity] : null));
    const error = vi.spyOn(console, 'error');
    const warn = vi.spyOn(console, 'warn');
    renderPage(<GroupsPage />);
    const open = async (row: string, button: string, expected: string) => {
      const scope = row ? within((await screen.findByText(row)).closest('tr')!) : screen;
      fireEvent.click(scope.getByRole('button', { name: button }));
      const dialog = (await screen.findAllByRole('dialog')).at(-1)!;
      expect((within(dialog).getByLabelText('Name') as HTMLInputElement).value).toBe(expected);
      fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    };
    await screen.findByText('Spring');
    await open('', 'Add group', '');
    await open('Spring', 'Rename', 'Spring');
    await open('', 'Add activity', '');
    await open('Launch', 'Edit', 'Launch');
    // antd checks for the missing Form on a zero-delay timer after the call.
    await new Promise((r) => setTimeout(r, 0));
    for (const spy of [error, warn]) expect(spy.mock.calls.flat().join('\n')).not.toContain('not connected to any Form element');
  });
});
