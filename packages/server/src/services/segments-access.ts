import { parseAudienceRule, type AudienceRule } from '@wareach/core';
import type { SegmentRow } from '../adapters/storage/segment-store';
import { builtinRoleId } from './auth';
import { AppError } from './errors';
import type { Actor } from './ports';

export const SEGMENT_KINDS = ['rule', 'csv', 'list'] as const;
export type SegmentKind = (typeof SEGMENT_KINDS)[number];
export const REFRESH_MODES = ['on_demand', 'daily', 'realtime'] as const;
export type RefreshMode = (typeof REFRESH_MODES)[number];
export const DEFAULT_DAILY_REFRESH_TIME = '06:00';

export interface SegmentView {
  id: string;
  name: string;
  kind: SegmentKind;
  rule: AudienceRule | null;
  subjectType: string;
  refresh: { mode: RefreshMode; time: string | null };
  visibleInList: boolean;
  /** null: every role with segment.view may see it; a list: only those roles (admins and the creator always). */
  authorisedRoleIds: string[] | null;
  createdBy: string | null;
  owningTaskId: string | null;
  memberCount: number;
  sendCount: number;
  refreshedAt: string | null;
  lastRefreshError: { message: string; at: string } | null;
  createdAt: string;
  updatedAt: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function authorisedRoles(row: Pick<SegmentRow, 'authorised_role_ids'>): string[] | null {
  return row.authorised_role_ids === null ? null : (JSON.parse(row.authorised_role_ids) as string[]);
}

export function storedRule(row: Pick<SegmentRow, 'id' | 'rule'>): AudienceRule {
  const parsed = row.rule === null ? undefined : parseAudienceRule(JSON.parse(row.rule));
  if (!parsed?.ok) throw new Error(`segment ${row.id} holds no valid rule`);
  return parsed.value;
}

export function segmentView(row: SegmentRow): SegmentView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as SegmentKind,
    rule: row.rule === null ? null : (JSON.parse(row.rule) as AudienceRule),
    subjectType: row.subject_type,
    refresh: { mode: row.refresh_mode as RefreshMode, time: row.refresh_time },
    visibleInList: row.visible_in_list === 1,
    authorisedRoleIds: authorisedRoles(row),
    createdBy: row.created_by,
    owningTaskId: row.owning_task_id,
    memberCount: row.member_count,
    sendCount: row.send_count,
    refreshedAt: iso(row.refreshed_at),
    lastRefreshError: row.last_refresh_error === null ? null : { message: row.last_refresh_error, at: iso(row.last_refresh_error_at) ?? '' },
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

export const isAdmin = (actor: Actor) => actor.type === 'system' || actor.roleId === builtinRoleId('admin');

/**
 * Segment authorisation on top of the segment permissions (SPEC section 3): admins and the creator
 * always see a segment; others when it is open to every role or their role is authorised.
 */
export function canViewSegment(actor: Actor, row: Pick<SegmentRow, 'authorised_role_ids' | 'created_by'>): boolean {
  if (isAdmin(actor)) return true;
  if (row.created_by !== null && row.created_by === actor.id) return true;
  const roles = authorisedRoles(row);
  return roles === null || (actor.roleId !== null && roles.includes(actor.roleId));
}

/** The error every segment-protected read answers with (403, code `segment_permission`). */
export const lacksSegmentPermission = (segmentName: string) =>
  new AppError('forbidden', `You lack segment permission: the segment "${segmentName}" is not authorised to your role`, [], 'segment_permission');
