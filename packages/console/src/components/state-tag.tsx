import { Tag } from 'antd';
import { useT } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';

const COLORS: Record<string, string> = { draft: 'default', pending_approval: 'gold', approved: 'cyan', running: 'processing', paused: 'orange', completed: 'green', ended: 'green', rejected: 'red', cancelled: 'default' };

export function StateTag({ state }: { state: string }) {
  const t = useT();
  const key = `state.${state}` as MessageKey;
  return <Tag color={COLORS[state] ?? 'default'}>{t(key) === key ? state : t(key)}</Tag>;
}
