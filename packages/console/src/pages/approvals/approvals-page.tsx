import { Card, Empty, Flex, Listy, Pagination, Space, Typography } from 'antd';
import { useState } from 'react';
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

const PAGE_SIZE = 10;

export function ApprovalsPage() {
  const t = useT();
  const { timezone } = useSession();
  const list = useLoad(() => listTasks({ state: 'pending_approval', limit: 100 }), []);
  const items = (list.data?.items ?? []).filter((x) => x.state === 'pending_approval');
  const [page, setPage] = useState(1);
  // Approving the last task of the last page leaves that page empty: show the one before.
  const current = Math.min(page, Math.max(1, Math.ceil(items.length / PAGE_SIZE)));
  return (
    <Card title={t('approvals.title')}>
      <LoadState loading={list.loading} error={list.error}>
        {items.length === 0 ? (
          <Empty description={t('approvals.empty')} />
        ) : (
          <>
            <Listy
              rowKey="id"
              items={items.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE)}
              itemRender={(task) => (
                <Flex justify="space-between" align="start" gap={24} wrap data-testid="approval-item">
                  <Space orientation="vertical" size={4} style={{ flex: '1 1 320px' }}>
                    <Space><Link to={`/tasks/${task.id}`}>{task.name}</Link><StateTag state={task.state} /></Space>
                    <Space wrap>
                      <span>{task.triggerType ? t(`trigger.${task.triggerType}` as MessageKey) : ''}</span>
                      {task.createdBy && <Typography.Text type="secondary">{t('approvals.submittedBy')}: {task.createdBy}</Typography.Text>}
                      {task.createdAt && <Typography.Text type="secondary">{formatInZone(/^\d+$/.test(task.createdAt) ? Number(task.createdAt) : task.createdAt, timezone)}</Typography.Text>}
                    </Space>
                  </Space>
                  <div style={{ width: 360 }}><ApprovalActions id={task.id} onDone={list.reload} /></div>
                </Flex>
              )}
            />
            {items.length > PAGE_SIZE && <Pagination style={{ marginTop: 16 }} align="end" current={current} pageSize={PAGE_SIZE} total={items.length} onChange={setPage} showSizeChanger={false} />}
          </>
        )}
      </LoadState>
    </Card>
  );
}
