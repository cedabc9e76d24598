import { App, Button, Card, DatePicker, Form, Input, Modal, Popconfirm, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client';
import type { Activity, Group } from '../../api/types';
import { useSession } from '../../auth/session';
import { useT } from '../../i18n/i18n';
import { applyFieldErrors, errorText } from '../../lib/errors';
import { formatInZone, utcToWallTime, wallTimeToUtc } from '../../lib/time';
import { useLoad } from '../../lib/use-load';
import { LoadState } from '../../components/page-state';
import type { Dayjs } from 'dayjs';

/**
 * The add or rename dialog, mounted for one opening so its form starts from `initialValues` and is never
 * called before it exists (a reset before the modal's form mounted made antd warn).
 */
function GroupDialog({ editing, onClose, onSaved }: { editing: Group | 'new'; onClose(): void; onSaved(): void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const save = async (v: { name: string }) => {
    try {
      if (editing === 'new') await api.post('/api/v1/groups', v);
      else await api.patch(`/api/v1/groups/${editing.id}`, v);
      message.success(t('common.saved'));
      onSaved();
    } catch (e) {
      applyFieldErrors(form, e);
      message.error(errorText(e, t));
    }
  };
  return (
    <Modal open title={editing === 'new' ? t('groups.add') : t('groups.rename')} onCancel={onClose} onOk={() => form.submit()}>
      <Form form={form} layout="vertical" onFinish={save} initialValues={editing === 'new' ? {} : { name: editing.name }}>
        <Form.Item name="name" label={t('common.name')} rules={[{ required: true, max: 100 }]}>
          <Input />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function GroupsCard() {
  const t = useT();
  const { message } = App.useApp();
  const { can } = useSession();
  const admin = can('group.manage');
  const list = useLoad(() => api.get<Group[]>('/api/v1/groups'), []);
  const [editing, setEditing] = useState<Group | 'new' | null>(null);
  const remove = async (g: Group) => {
    try {
      await api.del(`/api/v1/groups/${g.id}`);
      message.success(t('common.deleted'));
      list.reload();
    } catch (e) {
      message.error(errorText(e, t));
    }
  };
  return (
    <Card title={t('groups.groups')} extra={admin && <Button type="primary" onClick={() => setEditing('new')}>{t('groups.add')}</Button>}>
      <Typography.Paragraph type="secondary">{t('groups.groupsHelp')}</Typography.Paragraph>
      <LoadState loading={list.loading} error={list.error}>
        <Table<Group>
          rowKey="id"
          dataSource={list.data ?? []}
          pagination={{ pageSize: 10 }}
          columns={[
            { title: t('common.name'), dataIndex: 'name' },
            ...(can('report.view') ? [{ title: t('task.report'), render: (_: unknown, g: Group) => <Link to={`/reports/groups/${g.id}`}>{t('reports.open')}</Link> }] : []),
            ...(admin
              ? [{
                  title: t('common.actions'),
                  render: (_: unknown, g: Group) => (
                    <Space>
                      <Button size="small" onClick={() => setEditing(g)}>{t('groups.rename')}</Button>
                      <Popconfirm title={t('common.confirmDelete')} onConfirm={() => void remove(g)}>
                        <Button size="small" danger>{t('common.delete')}</Button>
                      </Popconfirm>
                    </Space>
                  ),
                }]
              : []),
          ]}
        />
      </LoadState>
      {editing !== null && (
        <GroupDialog
          key={editing === 'new' ? 'new' : editing.id}
          editing={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            list.reload();
          }}
        />
      )}
    </Card>
  );
}

/** The add or edit dialog of an activity, mounted for one opening like `GroupDialog`. */
function ActivityDialog({ editing, onClose, onSaved }: { editing: Activity | 'new'; onClose(): void; onSaved(): void }) {
  const t = useT();
  const { message } = App.useApp();
  const { timezone } = useSession();
  const [form] = Form.useForm();
  const save = async (v: { name: string; description?: string; period?: [Dayjs | null, Dayjs | null] }) => {
    const body = {
      name: v.name,
      description: v.description || null,
      startsAt: v.period?.[0] ? wallTimeToUtc(v.period[0], timezone) : null,
      endsAt: v.period?.[1] ? wallTimeToUtc(v.period[1], timezone) : null,
    };
    try {
      if (editing === 'new') await api.post('/api/v1/activities', body);
      else await api.patch(`/api/v1/activities/${editing.id}`, body);
      message.success(t('common.saved'));
      onSaved();
    } catch (e) {
      applyFieldErrors(form, e, (p) => (p === 'startsAt' || p === 'endsAt' ? ['period'] : [p]));
      message.error(errorText(e, t));
    }
  };
  const initialValues = editing === 'new' ? {} : { name: editing.name, description: editing.description, period: [utcToWallTime(editing.startsAt, timezone) ?? null, utcToWallTime(editing.endsAt, timezone) ?? null] };
  return (
    <Modal open title={editing === 'new' ? t('activities.add') : t('common.edit')} onCancel={onClose} onOk={() => form.submit()}>
      <Form form={form} layout="vertical" onFinish={save} initialValues={initialValues}>
        <Form.Item name="name" label={t('common.name')} rules={[{ required: true, max: 100 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="description" label={t('common.description')}>
          <Input.TextArea rows={2} maxLength={1000} />
        </Form.Item>
        <Form.Item name="period" label={`${t('activities.period')} (${timezone})`}>
          <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" allowEmpty={[true, true]} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function ActivitiesCard() {
  const t = useT();
  const { message } = App.useApp();
  const { can, timezone } = useSession();
  const list = useLoad(() => api.get<Activity[]>('/api/v1/activities'), []);
  const [editing, setEditing] = useState<Activity | 'new' | null>(null);
  const remove = async (a: Activity) => {
    try {
      await api.del(`/api/v1/activities/${a.id}`);
      list.reload();
    } catch (e) {
      message.error(errorText(e, t));
    }
  };
  return (
    <Card title={t('activities.title')} extra={can('task.edit') && <Button type="primary" onClick={() => setEditing('new')}>{t('activities.add')}</Button>}>
      <Typography.Paragraph type="secondary">{t('activities.help')}</Typography.Paragraph>
      <LoadState loading={list.loading} error={list.error}>
        <Table<Activity>
          rowKey="id"
          dataSource={list.data ?? []}
          pagination={{ pageSize: 10 }}
          columns={[
            { title: t('common.name'), dataIndex: 'name' },
            { title: t('common.description'), dataIndex: 'description' },
            { title: t('activities.period'), render: (_, a) => (a.startsAt || a.endsAt ? `${formatInZone(a.startsAt, timezone)} → ${formatInZone(a.endsAt, timezone)}` : '') },
            ...(can('report.view') ? [{ title: t('task.report'), render: (_: unknown, a: Activity) => <Link to={`/reports/activities/${a.id}`}>{t('reports.open')}</Link> }] : []),
            {
              title: t('common.actions'),
              render: (_, a) => (
                <Space>
                  {can('task.edit') && (
                    <Button size="small" onClick={() => setEditing(a)}>
                      {t('common.edit')}
                    </Button>
                  )}
                  {can('group.manage') && (
                    <Popconfirm title={t('common.confirmDelete')} onConfirm={() => void remove(a)}>
                      <Button size="small" danger>{t('common.delete')}</Button>
                    </Popconfirm>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </LoadState>
      {editing !== null && (
        <ActivityDialog
          key={editing === 'new' ? 'new' : editing.id}
          editing={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            list.reload();
          }}
        />
      )}
    </Card>
  );
}

export function GroupsPage() {
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <GroupsCard />
      <ActivitiesCard />
    </Space>
  );
}
