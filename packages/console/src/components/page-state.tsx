import { Alert, Result, Spin } from 'antd';
import type { ReactNode } from 'react';
import { ApiError } from '../api/client';
import { useT } from '../i18n/i18n';
import { errorText } from '../lib/errors';

/** What a page shows while its data loads or when loading failed (a missing API is said plainly). */
export function LoadState({ loading, error, children }: { loading: boolean; error: unknown; children: ReactNode }) {
  const t = useT();
  if (error) {
    if (error instanceof ApiError && error.status === 403) return <Result status="403" title={t('common.forbidden')} />;
    if (error instanceof ApiError && error.status === 404 && error.message.startsWith('no route')) {
      return <Alert type="warning" showIcon title={t('common.notAvailable', { detail: error.message })} />;
    }
    return <Alert type="error" showIcon title={errorText(error, t)} />;
  }
  return (
    <Spin spinning={loading} description={t('common.loading')}>
      {children}
    </Spin>
  );
}
