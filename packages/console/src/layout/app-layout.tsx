import {
  ApiOutlined,
  AuditOutlined,
  BarChartOutlined,
  DatabaseOutlined,
  FileTextOutlined,
  FolderOutlined,
  GlobalOutlined,
  LogoutOutlined,
  MobileOutlined,
  ScheduleOutlined,
  SettingOutlined,
  TeamOutlined,
  UserOutlined,
  UsergroupAddOutlined,
} from '@ant-design/icons';
import { Button, Dropdown, Layout, Menu, Space, Tag, Typography } from 'antd';
import type { MenuProps } from 'antd';
import type { ReactNode } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { useSession } from '../auth/session';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';

interface NavItem {
  path: string;
  label: MessageKey;
  icon: ReactNode;
  permission: string;
}

interface NavGroup {
  label: MessageKey;
  items: NavItem[];
}

/** The side menu; an entry the member lacks the permission for is not shown at all. */
export const NAV: NavGroup[] = [
  {
    label: 'nav.outreach',
    items: [
      { path: '/tasks', label: 'nav.tasks', icon: <ScheduleOutlined />, permission: 'task.view' },
      { path: '/approvals', label: 'nav.approvals', icon: <AuditOutlined />, permission: 'task.approve' },
      { path: '/reports', label: 'nav.reports', icon: <BarChartOutlined />, permission: 'report.view' },
      { path: '/groups', label: 'nav.groups', icon: <FolderOutlined />, permission: 'task.view' },
    ],
  },
  {
    label: 'nav.audience',
    items: [
      { path: '/segments', label: 'nav.segments', icon: <UsergroupAddOutlined />, permission: 'segment.view' },
      { path: '/customers', label: 'nav.customers', icon: <UserOutlined />, permission: 'customer.view' },
      { path: '/catalogue', label: 'nav.catalogue', icon: <DatabaseOutlined />, permission: 'customer.view' },
    ],
  },
  {
    label: 'nav.channels',
    items: [
      { path: '/channels', label: 'nav.channels', icon: <ApiOutlined />, permission: 'channel.view' },
      { path: '/templates', label: 'nav.templates', icon: <FileTextOutlined />, permission: 'channel.view' },
      { path: '/sandbox', label: 'nav.sandbox', icon: <MobileOutlined />, permission: 'sandbox.use' },
    ],
  },
  {
    label: 'nav.admin',
    items: [
      { path: '/members', label: 'nav.members', icon: <TeamOutlined />, permission: 'member.manage' },
      { path: '/settings', label: 'nav.settings', icon: <SettingOutlined />, permission: 'settings.manage' },
    ],
  },
];

export function AppLayout() {
  const { lang, setLang, t } = useI18n();
  const { member, can, logout, timezone } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const items: MenuProps['items'] = NAV.map((g) => ({
    type: 'group' as const,
    key: g.label,
    label: t(g.label),
    children: g.items.filter((i) => can(i.permission)).map((i) => ({ key: i.path, icon: i.icon, label: t(i.label) })),
  })).filter((g) => g.children.length > 0);
  const selected = NAV.flatMap((g) => g.items)
    .map((i) => i.path)
    .filter((p) => location.pathname === p || location.pathname.startsWith(`${p}/`));

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider width={220} theme="light" style={{ borderRight: '1px solid #f0f0f0' }}>
        <div style={{ padding: '16px 20px', fontWeight: 700, fontSize: 18, color: '#128C7E' }}>
          {t('app.name')}
          <div><Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 400 }}>{t('app.tagline')}</Typography.Text></div>
        </div>
        <nav aria-label="main">
          <Menu mode="inline" items={items} selectedKeys={selected} onClick={(e) => navigate(e.key)} style={{ borderInlineEnd: 'none' }} />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', padding: '0 24px', display: 'flex', justifyContent: 'flex-end', alignItems: 'center', borderBottom: '1px solid #f0f0f0' }}>
          <Space size="middle">
            <Tag>{t('common.timezoneNote', { tz: timezone })}</Tag>
            <Dropdown
              trigger={['click']}
              menu={{
                selectable: true,
                selectedKeys: [lang],
                items: [
                  { key: 'zh', label: t('lang.zh') },
                  { key: 'en', label: t('lang.en') },
                ],
                onClick: (e) => setLang(e.key === 'en' ? 'en' : 'zh'),
              }}
            >
              <Button icon={<GlobalOutlined />} aria-label={t('lang.switch')} data-testid="lang-switch">
                {lang === 'zh' ? t('lang.zh') : t('lang.en')}
              </Button>
            </Dropdown>
            <Typography.Text>{member?.name}</Typography.Text>
            <Button icon={<LogoutOutlined />} onClick={() => void logout().then(() => navigate('/login'))}>
              {t('auth.logout')}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 24, minWidth: 0 }}>
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
