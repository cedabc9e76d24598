import { isPermission } from '@wareach/core';
import { App, Button, Card, Checkbox, Form, Input, Modal, Popconfirm, Select, Space, Switch, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api } from '../../api/client';
import type { Member, Role } from '../../api/types';
import { useSession } from '../../auth/session';
import { useT, type TFunction } from '../../i18n/i18n';
import { applyFieldErrors, errorText } from '../../lib/errors';
import { formatInZone } from '../../lib/time';
import { useLoad } from '../../lib/use-load';
import { LoadState } from '../../components/page-state';

interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  roleId: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** What a permission allows, in the console's language; one the core does not know keeps the server's words. */
const permissionText = (t: TFunction, name: string, fallback: string) => (isPermission(name) ? t(`perm.${name}`) : fallback);

/**
 * The add or edit dialog of a member, mounted for one opening so its form starts from `initialValues` and
 * is never called before it exists (a reset before the modal's form mounted made antd warn).
 */
function MemberDialog({ editing, roles, onClose, onSaved }: { editing: Member | 'new'; roles: Role[]; onClose(): void; onSaved(): void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const save = async (v: { email: string; name: string; roleId: string; password?: string }) => {
    setBusy(true);
    try {
      if (editing === 'new') await api.post('/api/v1/members', v);
      else await api.patch(`/api/v1/members/${editing.id}`, { name: v.name, roleId: v.roleId, ...(v.password ? { password: v.password } : {}) });
      message.success(t('common.saved'));
      onSaved();
    } catch (e) {
      applyFieldErrors(form, e);
      message.error(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={editing === 'new' ? t('members.add') : t('common.edit')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={busy}>
      <Form form={form} layout="vertical" onFinish={save} initialValues={editing === 'new' ? {} : { name: editing.name, email: editing.email, roleId: editing.roleId }}>
        <Form.Item name="email" label={t('members.email')} rules={[{ required: true, type: 'email' }]}>
          <Input disabled={editing !== 'new'} />
        </Form.Item>
        <Form.Item name="name" label={t('members.name')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="roleId" label={t('members.role')} rules={[{ required: true }]}>
          <Select options={roles.map((r) => ({ value: r.id, label: r.name }))} />
        </Form.Item>
        <Form.Item name="password" label={editing === 'new' ? t('members.password') : t('members.newPassword')} extra={t('members.passwordHelp')} rules={editing === 'new' ? [{ required: true, min: 10 }] : [{ min: 10 }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function MembersTab({ roles }: { roles: Role[] }) {
  const t = useT();
  const { message } = App.useApp();
  const { member: me, timezone } = useSession();
  const list = useLoad(() => api.get<Member[]>('/api/v1/members'), []);
  const [editing, setEditing] = useState<Member | 'new' | null>(null);
  const roleName = (id: string) => roles.find((r) => r.id === id)?.name ?? id;

  const [toggling, setToggling] = useState<string>();
  const toggle = async (m: Member) => {
    setToggling(m.id);
    try {
      await api.patch(`/api/v1/members/${m.id}`, { disabled: !m.disabled });
      message.success(t('common.saved'));
      list.reload();
    } catch (e) {
      message.error(errorText(e, t));
    } finally {
      setToggling(undefined);
    }
  };

  return (
    <LoadState loading={list.loading} error={list.error}>
      <Space style={{ marginBottom: 12 }}>
        <Button type="primary" onClick={() => setEditing('new')}>{t('members.add')}</Button>
      </Space>
      <Table<Member>
        rowKey="id"
        dataSource={list.data ?? []}
        pagination={{ pageSize: 20 }}
        columns={[
          { title: t('members.name'), dataIndex: 'name', render: (n: string, m) => <>{n} {m.id === me?.id && <Tag>{t('members.you')}</Tag>}</> },
          { title: t('members.email'), dataIndex: 'email' },
          { title: t('members.role'), dataIndex: 'roleId', render: roleName },
          { title: t('common.status'), dataIndex: 'disabled', render: (d: boolean) => (d ? <Tag color="red">{t('members.disabled')}</Tag> : <Tag color="green">{t('common.enabled')}</Tag>) },
          { title: t('common.createdAt'), dataIndex: 'createdAt', render: (v: string) => formatInZone(v, timezone) },
          {
            title: t('common.actions'),
            render: (_, m) => (
              <Space>
                <Button size="small" onClick={() => setEditing(m)}>{t('common.edit')}</Button>
                {m.id !== me?.id && <Button size="small" loading={toggling === m.id} onClick={() => void toggle(m)}>{m.disabled ? t('members.enable') : t('members.disable')}</Button>}
              </Space>
            ),
          },
        ]}
      />
      {editing !== null && (
        <MemberDialog
          key={editing === 'new' ? 'new' : editing.id}
          editing={editing}
          roles={roles}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            list.reload();
          }}
        />
      )}
    </LoadState>
  );
}

/** The add or edit dialog of a role, mounted for one opening like `MemberDialog`. */
function RoleDialog({ editing, perms, onClose, onSaved }: { editing: Role | 'new'; perms: { name: string; description: string }[]; onClose(): void; onSaved(): void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const save = async (v: { name: string; permissions: string[] }) => {
    setBusy(true);
    try {
      if (editing === 'new') await api.post('/api/v1/roles', v);
      else await api.patch(`/api/v1/roles/${editing.id}`, v);
      message.success(t('common.saved'));
      onSaved();
    } catch (e) {
      applyFieldErrors(form, e);
      message.error(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={editing === 'new' ? t('roles.add') : t('common.edit')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={busy} width={640}>
      <Form form={form} layout="vertical" onFinish={save} initialValues={editing === 'new' ? { permissions: [] } : { name: editing.name, permissions: editing.permissions }}>
        <Form.Item name="name" label={t('common.name')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="permissions" label={t('roles.permissions')}>
          <Checkbox.Group style={{ display: 'grid', gap: 6 }} options={perms.map((p) => ({ value: p.name, label: <span><b>{p.name}</b> — {permissionText(t, p.name, p.description)}</span> }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function RolesTab({ roles, reload }: { roles: Role[]; reload(): void }) {
  const t = useT();
  const { message } = App.useApp();
  const perms = useLoad(() => api.get<{ name: string; description: string }[]>('/api/v1/permissions'), []);
  const [editing, setEditing] = useState<Role | 'new' | null>(null);
  const remove = async (r: Role) => {
    try {
      await api.del(`/api/v1/roles/${r.id}`);
      message.success(t('common.deleted'));
      reload();
    } catch (e) {
      message.error(errorText(e, t));
    }
  };
  return (
    <>
      <Button type="primary" style={{ marginBottom: 12 }} onClick={() => setEditing('new')}>{t('roles.add')}</Button>
      <Table<Role>
        rowKey="id"
        dataSource={roles}
        pagination={false}
        columns={[
          { title: t('common.name'), dataIndex: 'name', render: (n: string, r) => <>{n} {r.builtin && <Tag>{t('roles.builtin')}</Tag>}</> },
          { title: t('roles.permissions'), dataIndex: 'permissions', render: (p: string[]) => <Space size={[4, 4]} wrap>{p.map((x) => <Tag key={x} title={permissionText(t, x, x)}>{x}</Tag>)}</Space> },
          {
            title: t('common.actions'),
            // Built-in roles have no actions: without a width the empty column squeezes its title to one character a line.
            width: 160,
            render: (_, r) =>
              r.builtin ? null : (
                <Space>
                  <Button size="small" onClick={() => setEditing(r)}>{t('common.edit')}</Button>
                  <Popconfirm title={t('common.confirmDelete')} onConfirm={() => void remove(r)}>
                    <Button size="small" danger>{t('common.delete')}</Button>
                  </Popconfirm>
                </Space>
              ),
          },
        ]}
      />
      {editing !== null && (
        <RoleDialog
          key={editing === 'new' ? 'new' : editing.id}
          editing={editing}
          perms={perms.data ?? []}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            reload();
          }}
        />
      )}
    </>
  );
}

/** The create dialog of an API key, mounted for one opening like `MemberDialog`. */
function KeyDialog({ roles, onClose, onCreated }: { roles: Role[]; onClose(): void; onCreated(): void }) {
  const t = useT();
  const { message, modal } = App.useApp();
  const [form] = Form.useForm();
  const create = async (v: { name: string; roleId: string }) => {
    try {
      const r = await api.post<{ key?: string; apiKey?: string; token?: string }>('/api/v1/api-keys', v);
      onCreated();
      const key = r.key ?? r.apiKey ?? r.token ?? JSON.stringify(r);
      modal.success({ title: t('keys.shownOnce'), content: <Typography.Paragraph copyable code style={{ wordBreak: 'break-all' }}>{key}</Typography.Paragraph>, width: 560 });
    } catch (e) {
      applyFieldErrors(form, e);
      message.error(errorText(e, t));
    }
  };
  return (
    <Modal open title={t('keys.add')} onCancel={onClose} onOk={() => form.submit()}>
      <Form form={form} layout="vertical" onFinish={create}>
        <Form.Item name="name" label={t('common.name')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="roleId" label={t('members.role')} rules={[{ required: true }]}>
          <Select options={roles.map((r) => ({ value: r.id, label: r.name }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function KeysTab({ roles }: { roles: Role[] }) {
  const t = useT();
  const { message } = App.useApp();
  const { timezone } = useSession();
  const list = useLoad(() => api.get<ApiKey[]>('/api/v1/api-keys'), []);
  const [open, setOpen] = useState(false);
  const revoke = async (k: ApiKey) => {
    try {
      await api.del(`/api/v1/api-keys/${k.id}`);
      list.reload();
    } catch (e) {
      message.error(errorText(e, t));
    }
  };
  return (
    <LoadState loading={list.loading} error={list.error}>
      <Button type="primary" style={{ marginBottom: 12 }} onClick={() => setOpen(true)}>{t('keys.add')}</Button>
      <Table<ApiKey>
        rowKey="id"
        dataSource={list.data ?? []}
        pagination={{ pageSize: 20 }}
        columns={[
          { title: t('common.name'), dataIndex: 'name' },
          { title: t('keys.prefix'), dataIndex: 'prefix', render: (p: string) => <code>{p}…</code> },
          { title: t('members.role'), dataIndex: 'roleId', render: (id: string) => roles.find((r) => r.id === id)?.name ?? id },
          { title: t('common.createdAt'), dataIndex: 'createdAt', render: (v: string) => formatInZone(v, timezone) },
          { title: t('keys.lastUsed'), dataIndex: 'lastUsedAt', render: (v: string | null) => formatInZone(v, timezone) },
          { title: t('common.status'), dataIndex: 'revokedAt', render: (v: string | null) => (v ? <Tag color="red">{t('keys.revoked')}</Tag> : <Tag color="green">{t('keys.active')}</Tag>) },
          {
            title: t('common.actions'),
            width: 120,
            render: (_, k) =>
              k.revokedAt ? null : (
                <Popconfirm title={t('keys.confirmRevoke')} onConfirm={() => void revoke(k)}>
                  <Button size="small" danger>{t('keys.revoke')}</Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      {open && (
        <KeyDialog
          roles={roles}
          onClose={() => setOpen(false)}
          onCreated={() => {
            setOpen(false);
            list.reload();
          }}
        />
      )}
    </LoadState>
  );
}

export function MembersPage() {
  const t = useT();
  const roles = useLoad(() => api.get<Role[]>('/api/v1/roles'), []);
  const r = roles.data ?? [];
  return (
    <Card title={t('members.title')}>
      <LoadState loading={roles.loading} error={roles.error}>
        <Tabs
          items={[
            { key: 'members', label: t('members.tab.members'), children: <MembersTab roles={r} /> },
            { key: 'roles', label: t('members.tab.roles'), children: <RolesTab roles={r} reload={roles.reload} /> },
            { key: 'keys', label: t('members.tab.keys'), children: <KeysTab roles={r} /> },
          ]}
        />
      </LoadState>
    </Card>
  );
}
