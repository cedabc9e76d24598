import { Alert, Button, Space, Statistic } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { api } from '../../api/client';
import { useT } from '../../i18n/i18n';
import { errorText } from '../../lib/errors';

export interface EstimateResult {
  oneIds: number;
  sendIds: number;
}

/** Live audience estimate: re-asked (debounced) whenever the body changes and is valid. */
export function AudienceEstimate({ body, valid }: { body: { rule?: unknown; segmentId?: string } | null; valid: boolean }) {
  const t = useT();
  const [result, setResult] = useState<EstimateResult>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const key = JSON.stringify(body);
  const seq = useRef(0);
  const run = async () => {
    if (!body || !valid) return;
    const mine = ++seq.current;
    setBusy(true);
    try {
      const r = await api.post<EstimateResult>('/api/v1/segments/estimate', body);
      if (mine === seq.current) {
        setResult(r);
        setError(undefined);
      }
    } catch (e) {
      if (mine === seq.current) setError(errorText(e, t));
    } finally {
      if (mine === seq.current) setBusy(false);
    }
  };
  useEffect(() => {
    const h = setTimeout(() => void run(), 700);
    return () => clearTimeout(h);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, valid]);
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="estimate">
      <Space size="large">
        <Statistic title={t('estimate.oneIds')} value={result?.oneIds ?? '—'} loading={busy && !result} />
        <Statistic title={t('estimate.sendIds')} value={result?.sendIds ?? '—'} loading={busy && !result} />
        <Button onClick={() => void run()} loading={busy} disabled={!valid || !body}>{t('estimate.run')}</Button>
      </Space>
      {error && <Alert type="warning" showIcon title={error} />}
    </Space>
  );
}
