import type { Generated } from 'kysely';

/**
 * Segments, their members, and tasks. Same conventions as the foundation: epoch-ms bigint times, 0/1
 * booleans, JSON as text.
 */
export interface SegmentsTable {
  id: string;
  name: string;
  /** core `nameKey(name)`, unique: segment names are unique ignoring case and surrounding blanks. */
  name_key: string | null;
  kind: string; // rule | csv | list
  rule: string | null; // JSON audience rule (kind = rule)
  subject_type: string;
  refresh_mode: string; // on_demand | daily | realtime
  refresh_time: string | null; // HH:MM in the project timezone (daily)
  visible_in_list: number;
  /** JSON array of role ids allowed to view it; null means every role with segment.view. */
  authorised_role_ids: string | null;
  created_by: string | null;
  owning_task_id: string | null;
  /** The key under which the current members are stored in segment_members.segment_id. */
  members_key: string;
  member_count: number;
  /** Members with a WhatsApp number (a send ID) at the last refresh or upload. */
  send_count: number;
  refreshed_at: number | null;
  last_refresh_error: string | null;
  last_refresh_error_at: number | null;
  created_at: number;
  updated_at: number;
}

/**
 * One row per member of a member set. `segment_id` holds the set's key (segments.members_key of the
 * segment whose current set it is). Rule segments' members have a profile and usually a phone; CSV
 * members may have only a phone (a number without a profile is still sent to). `id` orders members
 * for keyset paging.
 */
export interface SegmentMembersTable {
  id: Generated<number>;
  segment_id: string;
  profile_id: string | null;
  phone: string | null;
}

export interface TasksTable {
  id: string;
  name: string;
  /** Trimmed, lower-cased name: unique, so names are unique ignoring case and surrounding blanks. */
  name_key: string;
  state: string;
  trigger_type: string | null;
  group_id: string | null;
  activity_id: string | null;
  subject_type: string;
  definition: string; // JSON: the five-step definition (draft or complete)
  /** The segment the task sends to: its own rule segment, the chosen segment, or its CSV segment. */
  audience_segment_id: string | null;
  created_by: string | null;
  submitted_by: string | null;
  approved_by: string | null;
  paused_policy: string | null; // drop | hold, while paused
  created_at: number;
  updated_at: number;
  submitted_at: number | null;
  approved_at: number | null;
  state_changed_at: number;
  version: number;
}

export interface TaskTables {
  segments: SegmentsTable;
  segment_members: SegmentMembersTable;
  tasks: TasksTable;
}
