import { Alert, Button, Card, Form, Input, Select, Space } from 'antd';
import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { useSession } from '../auth/session';
import { useI18n } from '../i18n/i18n';
import { errorText } from '../lib/errors';

export function LoginPage() {
  const { t, lang, setLang } = useI18n();
  const { member, login } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const from = (location.state as { from?: string } | null)?.from ?? '/tasks';
  if (member) return <Navigate to={from} replace />;

  const onFinish = async (v: { email: string; password: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      await login(v.email.trim(), v.password);
      navigate(from, { replace: true });
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f0f2f5' }}>
      <Card title={t('auth.loginTitle')} style={{ width: 380 }} extra={
        <Select size="small" value={lang} onChange={setLang} aria-label={t('lang.switch')} options={[{ value: 'zh', label: t('lang.zh') }, { value: 'en', label: t('lang.en') }]} />
      }>
        <Form layout="vertical" onFinish={onFinish} requiredMark={false}>
          <Form.Item name="email" label={t('auth.email')} rules={[{ required: true, message: t('auth.emailRequired') }]}>
            <Input autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label={t('auth.password')} rules={[{ required: true, message: t('auth.passwordRequired') }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Space orientation="vertical" style={{ width: '100%' }}>
            {error && <Alert type="error" showIcon title={`${t('auth.loginFailed')}: ${error}`} />}
            <Button type="primary" htmlType="submit" block loading={busy}>
              {t('auth.login')}
            </Button>
          </Space>
        </Form>
      </Card>
    </div>
  );
}
