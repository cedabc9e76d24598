import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { App as AntApp } from 'antd';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionProvider } from '../../../auth/session';
import { I18nProvider } from '../../../i18n/i18n';
import { TaskWizard, type WizardRefs } from './task-wizard-page';
import { initialValues } from './wizard-model';

const refs: WizardRefs = {
  groups: [],
  activities: [],
  roles: [],
  channels: [],
  templates: [],
  tasks: [],
  catalogue: { events: [], attributes: [{ name: 'city', type: 'string' }], tags: [], segments: [] },
};

const session = { member: { id: 'm1', email: 'a@b.c', name: 'Ann', roleId: 'admin', disabled: false, createdAt: '2026-01-01T00:00:00Z' }, permissions: ['task.edit', 'task.view'], settings: null };

function renderWizard(lang: 'en' | 'zh' = 'en') {
  return render(
    <I18nProvider lang={lang}>
      <SessionProvider initial={session}>
        <MemoryRouter>
          <AntApp>
            <TaskWizard refs={refs} initial={initialValues(null)} />
          </AntApp>
        </MemoryRouter>
      </SessionProvider>
    </I18nProvider>,
  );
}

afterEach(cleanup);

describe('the task wizard', () => {
  it('does not leave the basic step without a name, and says so beside the field', async () => {
    renderWizard();
    fireEvent.click(screen.getByTestId('wizard-next'));
    await waitFor(() => expect(screen.getByTestId('wizard-step-basic')).toBeTruthy());
    fireEvent.click(screen.getByTestId('wizard-next'));
    await waitFor(() => expect(screen.getByText('Name the task')).toBeTruthy());
    expect(screen.getByTestId('wizard-step-basic')).toBeTruthy();
  });

  it('moves on once the name is given', async () => {
    renderWizard();
    fireEvent.click(screen.getByTestId('wizard-next'));
    fireEvent.change(await screen.findByTestId('task-name'), { target: { value: 'Spring sale' } });
    fireEvent.click(screen.getByTestId('wizard-next'));
    await waitFor(() => expect(screen.getByTestId('wizard-step-audience')).toBeTruthy());
  });

  it('offers CSV only to scheduled tasks, saying why it is disabled', async () => {
    const initial = initialValues(null);
    initial.trigger = { type: 'triggered' };
    initial.basic.name = 'x';
    render(
      <I18nProvider lang="en">
        <SessionProvider initial={session}>
          <MemoryRouter>
            <AntApp>
              <TaskWizard refs={refs} initial={initial} />
            </AntApp>
          </MemoryRouter>
        </SessionProvider>
      </I18nProvider>,
    );
    fireEvent.click(screen.getByTestId('wizard-next'));
    fireEvent.click(await screen.findByTestId('wizard-next'));
    await waitFor(() => expect(screen.getByTestId('wizard-step-audience')).toBeTruthy());
    const csv = screen.getByLabelText('CSV upload') as HTMLInputElement;
    expect(csv.disabled).toBe(true);
    expect(screen.getAllByText(/CSV audiences can only be used by scheduled tasks/).length).toBeGreaterThan(0);
  });

  it('shows the same step in Chinese', async () => {
    renderWizard('zh');
    expect(await screen.findByText('渠道与主体')).toBeTruthy();
  });
});
