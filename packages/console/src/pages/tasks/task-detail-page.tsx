import { DELIVERY_STATUSES } from '@wareach/core';
import { App, Button, Card, Descriptions, Empty, Input, Modal, Popconfirm, Radio, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, asPage } from '../../api/client';
import { definitionOf, toTask, type Raw } from '../../api/tasks';
import { useSession } from '../../auth/session';
import { LoadState } from '../../components/page-state';
import { StateTag } from '../../components/state-tag';
import { useT, type TFunction } from '../../i18n/i18n';
import { messages, type MessageKey } from '../../i18n/messages';
import { errorText } from '../../lib/errors';
import { formatInZone } from '../../lib/time';
import { useLoad } from '../../lib/use-load';

const when = (v: unknown) => (typeof v === 'number' || typeof v === 'string' ? v : null);

/** An empty table that says why it is empty. */
const emptyText = (text: string) => ({ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={text} /> });

/** A delivery's state and skip reason in words; codes the console does not know are shown as they are. */
const deliveryState = (t: TFunction, s: string) => ((DELIVERY_STATUSES as readonly string[]).includes(s) ? t(`delivery.state.${s}` as MessageKey) : s);
const skipReason = (t: TFunction, code: string) => (`reports.skip.${code}` in messages.en ? t(`reports.skip.${code}` as MessageKey) : code);

function RunsTab({ id }: { id: string }) {
  const t = useT();
  const { timezone } = useSession();
  const runs = useLoad(async () => asPage<Raw>(await api.get<unknown>(`/api/v1/tasks/${id}/runs`)).items, [id]);
  return (
    <LoadState loading={runs.loading} error={runs.error}>
      <Table<Raw> rowKey={(r) => String(r.id)} size="small" dataSource={runs.data ?? []} locale={emptyText(t('task.noRuns'))} pagination={{ pageSize: 20 }} columns={[
        { title: t('common.id'), dataIndex: 'id' },
        { title: t('common.status'), render: (_, r) => <StateTag state={String(r.state ?? r.status ?? '')} /> },
        { title: t('task.audienceSize'), render: (_, r) => String(r.audienceSize ?? r.audience ?? '') },
        { title: t('task.startedAt'), render: (_, r) => formatInZone(when(r.startedAt ?? r.scheduledAt), timezone) },
        { title: t('task.finishedAt'), render: (_, r) => formatInZone(when(r.finishedAt ?? r.endedAt), timezone) },
        { title: t('task.report'), render: (_, r) => <Link to={`/tasks/${id}/report?runId=${String(r.id)}`}>{t('task.report')}</Link> },
      ]} />
    </LoadState>
  );
}

function DeliveriesTab({ id }: { id: string }) {
  const t = useT();
  const { timezone } = useSession();
  const [page, setPage] = useState(1);
  const list = useLoad(async () => asPage<Raw>(await api.get<unknown>(`/api/v1/tasks/${id}/deliveries`, { limit: 20, offset: (page - 1) * 20 })), [id, page]);
  return (
    <LoadState loading={list.loading} error={list.error}>
      <Table<Raw> rowKey={(r) => String(r.id)} size="small" dataSource={list.data?.items ?? []} locale={emptyText(t('task.noDeliveries'))} pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, onChange: setPage }} columns={[
        { title: t('task.recipient'), render: (_, r) => String(r.phone ?? r.recipient ?? r.to ?? r.profileId ?? '') },
        { title: t('task.deliveryState'), render: (_, r) => <Tag title={String(r.state ?? r.status ?? '')}>{deliveryState(t, String(r.state ?? r.status ?? ''))}</Tag> },
        { title: t('task.error'), render: (_, r) => (r.errorCode != null ? String(r.errorCode) : r.reason != null ? skipReason(t, String(r.reason)) : '') + (r.errorTitle ? ` ${String(r.errorTitle)}` : '') },
        { title: t('common.updatedAt'), render: (_, r) => formatInZone(when(r.updatedAt ?? r.sentAt), timezone, true) },
      ]} />
    </LoadState>
  );
}

function AuditTab({ id }: { id: string }) {
  const t = useT();
  const { timezone } = useSession();
  const log = useLoad(async () => {
    try {
      return asPage<Raw>(await api.get<unknown>(`/api/v1/tasks/${id}/audit`)).items;
    } catch {
      return asPage<Raw>(await api.get<unknown>('/api/v1/audit-log', { entityType: 'task', entityId: id })).items;
    }
  }, [id]);
  return (
    <LoadState loading={log.loading} error={log.error}>
      <Table<Raw> rowKey={(r) => String(r.id ?? `${String(r.at)}${String(r.action)}`)} size="small" dataSource={log.data ?? []} pagination={{ pageSize: 20 }} columns={[
        { title: t('task.when'), render: (_, r) => formatInZone(when(r.at ?? r.createdAt), timezone, true) },
        { title: t('task.who'), render: (_, r) => String(r.actorName ?? r.actorId ?? r.actor ?? '') },
        { title: t('task.action'), render: (_, r) => <Tag>{String(r.action ?? '')}</Tag> },
        { title: t('task.comment'), render: (_, r) => { const d = (r.details ?? {}) as Raw; return String(d.comment ?? r.comment ?? ''); } },
      ]} />
    </LoadState>
  );
}

export function TaskDetailPage() {
  const t = useT();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const { can, timezone } = useSession();
  const task = useLoad(() => api.get<Raw>(`/api/v1/tasks/${id}`), [id]);
  const [pauseOpen, setPauseOpen] = useState(false);
  const [pauseMode, setPauseMode] = useState<'hold' | 'drop'>('hold');
  const [busy, setBusy] = useState<string>();
  const act = async (action: string, body?: unknown) => {
    setBusy(action);
    try {
      const r = await api.post<{ id?: string }>(`/api/v1/tasks/${id}/${action}`, body);
      if (action === 'copy' && r.id) {
        message.success(t('task.copied'));
        navigate(`/tasks/${r.id}/edit`);
      } else {
        message.success(t('task.done'));
        task.reload();
      }
    } catch (e) {
      message.error(errorText(e, t));
    } finally {
      setBusy(undefined);
    }
  };
  const row = task.data ? toTask(task.data) : undefined;
  const def = task.data ? definitionOf(task.data) : undefined;
  const editable = row && ['draft', 'rejected', 'approved', 'pending_approval'].includes(row.state);
  return (
    <LoadState loading={task.loading && !task.data} error={task.error}>
      {row && def && (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          <Card
            title={<Space>{row.name}<StateTag state={row.state} /></Space>}
            extra={
              <Space wrap>
                {can('task.edit') && editable && <Button onClick={() => navigate(`/tasks/${id}/edit`)}>{t('task.edit')}</Button>}
                {can('task.edit') && (row.state === 'draft' || row.state === 'rejected') && <Button type="primary" loading={busy === 'submit'} onClick={() => void act('submit')}>{t('task.submit')}</Button>}
                {can('task.edit') && row.state === 'running' && <Button onClick={() => setPauseOpen(true)}>{t('task.pause')}</Button>}
                {can('task.edit') && row.state === 'paused' && <Button loading={busy === 'resume'} onClick={() => void act('resume')}>{t('task.resume')}</Button>}
                {can('task.edit') && <Button loading={busy === 'copy'} onClick={() => void act('copy')}>{t('task.copy')}</Button>}
                {can('report.view') && <Button onClick={() => navigate(`/tasks/${id}/report`)}>{t('task.report')}</Button>}
                {can('task.edit') && !['completed', 'ended', 'cancelled'].includes(row.state) && (
                  <Popconfirm title={t('task.confirmCancel')} onConfirm={() => void act('cancel')}>
                    <Button danger loading={busy === 'cancel'}>{t('task.cancel')}</Button>
                  </Popconfirm>
                )}
              </Space>
            }
          >
            <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }} items={[
              { key: 'trigger', label: t('tasks.trigger'), children: row.triggerType ? t(`trigger.${row.triggerType}` as MessageKey) : '' },
              { key: 'type', label: t('tasks.type'), children: row.taskType ? t(`taskType.${row.taskType}` as MessageKey) : '' },
              { key: 'aud', label: t('wizard.audienceMode'), children: def.audience.mode ? t(`wizard.mode.${String(def.audience.mode)}` as MessageKey) : '' },
              { key: 'send', label: t('wizard.sendAt'), children: formatInZone(when(def.trigger.sendAt ?? def.trigger.startAt), timezone) },
              { key: 'content', label: t('content.type'), children: (def.delivery.content as Raw | undefined)?.type ? t(`content.type.${String((def.delivery.content as Raw).type)}` as MessageKey) : '' },
              { key: 'created', label: t('common.createdAt'), children: formatInZone(when(task.data?.createdAt), timezone) },
            ]} />
          </Card>
          <Card>
            <Tabs items={[
              { key: 'runs', label: t('task.runs'), children: <RunsTab id={id} /> },
              { key: 'deliveries', label: t('task.deliveries'), children: <DeliveriesTab id={id} /> },
              { key: 'audit', label: t('task.audit'), children: <AuditTab id={id} /> },
              { key: 'def', label: t('task.definition'), children: <Typography.Paragraph><pre style={{ maxHeight: 480, overflow: 'auto', fontSize: 12 }}>{JSON.stringify(def, null, 2)}</pre></Typography.Paragraph> },
            ]} />
          </Card>
          <Modal open={pauseOpen} title={t('task.pause')} onCancel={() => setPauseOpen(false)} onOk={() => { setPauseOpen(false); void act('pause', { pausedPolicy: pauseMode }); }}>
            <Typography.Paragraph>{t('task.pauseMode')}</Typography.Paragraph>
            <Radio.Group value={pauseMode} onChange={(e) => setPauseMode(e.target.value as 'hold' | 'drop')} options={[{ value: 'hold', label: t('task.pause.hold') }, { value: 'drop', label: t('task.pause.drop') }]} />
          </Modal>
        </Space>
      )}
    </LoadState>
  );
}

export function ApprovalActions({ id, onDone }: { id: string; onDone(): void }) {
  const t = useT();
  const { message } = App.useApp();
  const [rejecting, setRejecting] = useState(false);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const decide = async (action: 'approve' | 'reject') => {
    if (action === 'reject' && !comment.trim()) {
      message.error(t('approvals.commentRequired'));
      return;
    }
    setBusy(true);
    try {
      await api.post(`/api/v1/tasks/${id}/${action}`, comment.trim() ? { comment: comment.trim() } : {});
      message.success(t(action === 'approve' ? 'approvals.approved' : 'approvals.rejected'));
      setRejecting(false);
      onDone();
    } catch (e) {
      message.error(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Input.TextArea rows={2} placeholder={t('task.comment')} aria-label={t('task.comment')} value={comment} onChange={(e) => setComment(e.target.value)} status={rejecting && !comment.trim() ? 'error' : undefined} />
      <Space>
        <Button type="primary" loading={busy} onClick={() => void decide('approve')} data-testid="approve">{t('approvals.approve')}</Button>
        <Button danger loading={busy} onClick={() => { setRejecting(true); void decide('reject'); }}>{t('approvals.reject')}</Button>
      </Space>
    </Space>
  );
}
