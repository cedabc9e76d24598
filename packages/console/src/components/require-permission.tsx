import { Result } from 'antd';
import type { ReactNode } from 'react';
import { useSession } from '../auth/session';
import { useT } from '../i18n/i18n';

export function RequirePermission({ permission, children }: { permission: string; children: ReactNode }) {
  const { can } = useSession();
  const t = useT();
  return can(permission) ? <>{children}</> : <Result status="403" title={t('common.forbidden')} />;
}
