import { Card, Empty, List, Space, Typography } from 'antd';
import { Link } from 'react-router';
import { listTasks } from '../../api/tasks';
import { useSession } from '../../auth/session';
import { LoadState } from '../../components/page-state';
import { StateTag } from '../../components/state-tag';
import { useT } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages';
import { formatInZone } from '../../lib/time';
import { useLoad } from '../../lib/use-load';
import { ApprovalActions } from '../tasks/task-detail-page';

export function ApprovalsPage() {
  const t = useT();
  const { timezone } = useSession();
  const list = useLoad(() => listTasks({ state: 'pending_approval', limit: 100 }), []);
  const items = (list.data?.items ?? []).filter((x) => x.state === 'pending_approval');
  return (
    <Card title={t('approvals.title')}>
      <LoadState loading={list.loading} error={list.error}>
        {items.length === 0 ? (
          <Empty description={t('approvals.empty')} />
        ) : (
          <List
            itemLayout="vertical"
            dataSource={items}
            pagination={items.length > 10 ? { pageSize: 10 } : false}
            renderItem={(task) => (
              <List.Item key={task.id} data-testid="approval-item" extra={<div style={{ width: 360 }}><ApprovalActions id={task.id} onDone={list.reload} /></div>}>
                <List.Item.Meta
                  title={<Space><Link to={`/tasks/${task.id}`}>{task.name}</Link><StateTag state={task.state} /></Space>}
                  description={
                    <Space wrap>
                      <span>{task.triggerType ? t(`trigger.${task.triggerType}` as MessageKey) : ''}</span>
                      {task.createdBy && <Typography.Text type="secondary">{t('approvals.submittedBy')}: {task.createdBy}</Typography.Text>}
                      {task.createdAt && <Typography.Text type="secondary">{formatInZone(/^\d+$/.test(task.createdAt) ? Number(task.createdAt) : task.createdAt, timezone)}</Typography.Text>}
                    </Space>
                  }
                />
              </List.Item>
            )}
          />
        )}
      </LoadState>
    </Card>
  );
}
