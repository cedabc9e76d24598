import { App as AntApp, ConfigProvider, Result, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import type { ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { SessionProvider, useSession } from './auth/session';
import { RequirePermission } from './components/require-permission';
import { useI18n } from './i18n/i18n';
import { AppLayout, NAV } from './layout/app-layout';
import { ApprovalsPage } from './pages/approvals/approvals-page';
import { CataloguePage } from './pages/customers/catalogue-page';
import { CustomerDetailPage } from './pages/customers/customer-detail-page';
import { CustomersPage } from './pages/customers/customers-page';
import { ChannelsPage } from './pages/channels/channels-page';
import { TemplatesPage } from './pages/channels/templates-page';
import { GroupsPage } from './pages/groups/groups-page';
import { LoginPage } from './pages/login-page';
import { MembersPage } from './pages/members/members-page';
import { LabelReportPage } from './pages/reports/label-report-page';
import { ReportsPage } from './pages/reports/reports-page';
import { TaskReportPage } from './pages/reports/task-report-page';
import { SandboxPage } from './pages/sandbox/sandbox-page';
import { SegmentEditPage } from './pages/segments/segment-edit-page';
import { SegmentsPage } from './pages/segments/segments-page';
import { SettingsPage } from './pages/settings/settings-page';
import { TaskDetailPage } from './pages/tasks/task-detail-page';
import { TaskWizardPage } from './pages/tasks/wizard/task-wizard-page';
import { TasksPage } from './pages/tasks/tasks-page';

function RequireLogin({ children }: { children: ReactNode }) {
  const { member } = useSession();
  const location = useLocation();
  if (member === undefined) return <Spin fullscreen />;
  if (member === null) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

function Home() {
  const { can } = useSession();
  const first = NAV.flatMap((g) => g.items).find((i) => can(i.permission));
  return first ? <Navigate to={first.path} replace /> : <Result status="403" />;
}

const guarded = (permission: string, page: ReactNode) => <RequirePermission permission={permission}>{page}</RequirePermission>;

function NotFound() {
  const { t } = useI18n();
  return <Result status="404" title={t('common.notFound')} />;
}

export function App() {
  const { lang } = useI18n();
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={{ token: { colorPrimary: '#128C7E', borderRadius: 6 } }}>
      <AntApp>
        <SessionProvider>
          <Routes>
            <Route path="/login" element={<LoginPage />} />
            <Route element={<RequireLogin><AppLayout /></RequireLogin>}>
              <Route index element={<Home />} />
              <Route path="tasks" element={guarded('task.view', <TasksPage />)} />
              <Route path="tasks/new" element={guarded('task.edit', <TaskWizardPage />)} />
              <Route path="tasks/:id" element={guarded('task.view', <TaskDetailPage />)} />
              <Route path="tasks/:id/edit" element={guarded('task.edit', <TaskWizardPage />)} />
              <Route path="tasks/:id/report" element={guarded('report.view', <TaskReportPage />)} />
              <Route path="approvals" element={guarded('task.approve', <ApprovalsPage />)} />
              <Route path="reports" element={guarded('report.view', <ReportsPage />)} />
              <Route path="reports/groups/:id" element={guarded('report.view', <LabelReportPage kind="group" />)} />
              <Route path="reports/activities/:id" element={guarded('report.view', <LabelReportPage kind="activity" />)} />
              <Route path="groups" element={guarded('task.view', <GroupsPage />)} />
              <Route path="segments" element={guarded('segment.view', <SegmentsPage />)} />
              <Route path="segments/new" element={guarded('segment.edit', <SegmentEditPage />)} />
              <Route path="segments/:id" element={guarded('segment.view', <SegmentEditPage />)} />
              <Route path="customers" element={guarded('customer.view', <CustomersPage />)} />
              <Route path="customers/:id" element={guarded('customer.view', <CustomerDetailPage />)} />
              <Route path="catalogue" element={guarded('customer.view', <CataloguePage />)} />
              <Route path="channels" element={guarded('channel.view', <ChannelsPage />)} />
              <Route path="templates" element={guarded('channel.view', <TemplatesPage />)} />
              <Route path="sandbox" element={guarded('sandbox.use', <SandboxPage />)} />
              <Route path="members" element={guarded('member.manage', <MembersPage />)} />
              <Route path="settings" element={guarded('settings.manage', <SettingsPage />)} />
              <Route path="*" element={<NotFound />} />
            </Route>
          </Routes>
        </SessionProvider>
      </AntApp>
    </ConfigProvider>
  );
}
