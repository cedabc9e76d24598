import { Alert, Button, Card, DatePicker, Listy, Space, Tag, Typography } from 'antd';
import { previewTiming, validateTrigger, type TimingPreview } from '@wareach/core';
import { useEffect, useState } from 'react';
import { api, ApiError } from '../../../api/client';
import { useSession } from '../../../auth/session';
import { useT } from '../../../i18n/i18n';
import type { MessageKey } from '../../../i18n/messages';
import { errorText } from '../../../lib/errors';
import { dayjs, formatInZone, wallTimeToUtc } from '../../../lib/time';
import { toRequestBody, type Obj } from './wizard-model';

const COMPACT = { padding: '6px 8px' };

/**
 * When messages will go out for the trigger being edited: the server's preview
 * (`POST /api/v1/tasks/preview-timing`); if that route is absent, the same core function run here.
 */
export function TimingPreviewCard({ trigger }: { trigger: Obj }) {
  const t = useT();
  const { timezone } = useSession();
  const [a, setA] = useState<string[]>([]);
  const [b, setB] = useState<string[]>([]);
  const [preview, setPreview] = useState<TimingPreview>();
  const [problem, setProblem] = useState<string>();
  const [local, setLocal] = useState(false);
  const isEvent = trigger.type === 'triggered' || trigger.type === 'triggered_not';
  const body = toRequestBody({ basic: {}, audience: {}, delivery: {}, trigger }).trigger;
  const key = JSON.stringify([body, a, b]);

  useEffect(() => {
    const valid = validateTrigger(body);
    if (!valid.ok) {
      setPreview(undefined);
      setProblem(t('wizard.previewIncomplete'));
      return;
    }
    const events = isEvent ? { a, ...(trigger.type === 'triggered_not' ? { b } : {}) } : undefined;
    const h = setTimeout(() => {
      api
        .post<TimingPreview>('/api/v1/tasks/preview-timing', { trigger: body, ...(events ? { events } : {}) })
        .then((p) => { setPreview(p); setProblem(undefined); setLocal(false); })
        .catch((e: unknown) => {
          if (e instanceof ApiError && e.status === 404) {
            const r = previewTiming(valid.value, { now: new Date(), timezone, ...(events ? { events } : {}) });
            setLocal(true);
            if (r.ok) { setPreview(r.value); setProblem(undefined); } else setProblem(r.error.map((x) => `${x.path} ${x.message}`).join('; '));
          } else setProblem(errorText(e, t));
        });
    }, 400);
    return () => clearTimeout(h);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, timezone]);

  const fmt = (z: { utc: string }) => formatInZone(z.utc, timezone);
  const addEvent = (which: 'a' | 'b') => (which === 'a' ? setA([...a, new Date().toISOString()]) : setB([...b, new Date().toISOString()]));
  const eventList = (which: 'a' | 'b', list: string[], setList: (v: string[]) => void) => (
    <Space orientation="vertical" size={4}>
      {list.map((iso, i) => (
        <Space key={i} size={4}>
          <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" allowClear={false} value={dayjs(iso).tz(timezone)} aria-label={t(which === 'a' ? 'wizard.sampleA' : 'wizard.sampleB')} onChange={(d) => d && setList(list.map((x, j) => (j === i ? new Date(wallTimeToUtc(d, timezone)).toISOString() : x)))} />
          <Button size="small" onClick={() => setList(list.filter((_, j) => j !== i))}>{t('common.remove')}</Button>
        </Space>
      ))}
      <Button size="small" type="dashed" onClick={() => addEvent(which)}>{t(which === 'a' ? 'wizard.addSampleA' : 'wizard.addSampleB')}</Button>
    </Space>
  );

  return (
    <Card size="small" title={`${t('wizard.timingPreview')} (${timezone})`} data-testid="timing-preview">
      {isEvent && (
        <Space orientation="vertical" style={{ marginBottom: 12 }}>
          <Typography.Text type="secondary">{t('wizard.sampleHelp')}</Typography.Text>
          {eventList('a', a, setA)}
          {trigger.type === 'triggered_not' && eventList('b', b, setB)}
        </Space>
      )}
      {problem && <Alert type="info" showIcon title={problem} />}
      {preview?.kind === 'scheduled_once' && (
        <Space orientation="vertical">
          <span>{t('wizard.sendsAt')}: <b>{fmt(preview.sendAt)}</b></span>
          <span>{t('wizard.approvalDeadline')}: {fmt(preview.approvalDeadline)}</span>
          {preview.sendTimePassed && <Alert type="error" showIcon title={t('wizard.sendTimePassed')} />}
        </Space>
      )}
      {preview?.kind === 'recurring' && (
        <Space orientation="vertical" size={4} style={{ width: '100%' }}>
          <Typography.Text strong>{t('wizard.nextRuns')}</Typography.Text>
          <Listy rowKey="utc" items={preview.occurrences} styles={{ item: COMPACT }} itemRender={(o) => fmt(o)} />
          {preview.moreAfter && <Typography.Text type="secondary">… {t('wizard.until')} {fmt(preview.endAt)}</Typography.Text>}
        </Space>
      )}
      {preview?.kind === 'event' && (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <span>{t('wizard.taskEnds')}: <b>{fmt(preview.endAt)}</b> {preview.endAtDefaulted && <Tag>{t('wizard.defaulted')}</Tag>}</span>
          <Listy
            rowKey={(e) => preview.events.indexOf(e)}
            items={preview.events}
            styles={{ item: COMPACT }}
            itemRender={(e) => <>{fmt(e.eventAt)} → {e.outcome.kind === 'due' ? <b>{fmt(e.outcome.dueAt)}</b> : <Tag color="orange">{t(`noSend.${e.outcome.reason}` as MessageKey)}</Tag>}</>}
          />
        </Space>
      )}
      {local && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('wizard.previewLocal')}</Typography.Text>}
    </Card>
  );
}
