import type { Generated } from 'kysely';

/**
 * Table types of the foundation. Conventions for every table, on SQLite and PostgreSQL alike:
 * times are epoch milliseconds in UTC (bigint, parsed to number), booleans are 0/1 integers, JSON is
 * text. One representation on both dialects keeps the migration set and every query identical.
 */
export interface RolesTable {
  id: string;
  name: string;
  builtin: number;
  permissions: string; // JSON array of permission names
  created_at: number;
  updated_at: number;
}

export interface MembersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  role_id: string;
  disabled: number;
  created_at: number;
  updated_at: number;
}

export interface SessionsTable {
  id: string; // sha256 of the cookie token
  member_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  key_hash: string;
  prefix: string;
  role_id: string;
  created_by: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor_type: string; // member | api_key | system
  actor_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  details: string | null;
}

export interface SettingsTable {
  key: string;
  value: string; // JSON
  updated_at: number;
}

export interface ProfilesTable {
  id: string; // the one-ID
  subject_type: string;
  timezone: string | null;
  created_at: number;
  updated_at: number;
}

export interface IdentitiesTable {
  type: string;
  value: string;
  profile_id: string;
}

/** One row per scalar attribute; a string list has one row per element (idx 0..n-1). */
export interface ProfileAttributesTable {
  profile_id: string;
  name: string;
  idx: number;
  type: string; // string | number | boolean | datetime | string_list
  v_text: string | null;
  v_num: number | null;
}

export interface ProfileTagsTable {
  profile_id: string;
  name: string;
  type: string; // string | number | boolean | datetime
  v_text: string | null;
  v_num: number | null;
}

export interface EventsTable {
  id: Generated<number>;
  profile_id: string;
  name: string;
  at: number;
  properties: string; // JSON object
  message_id: string | null;
  received_at: number;
}

export interface CatalogueEventsTable {
  name: string;
  first_seen: number;
  last_seen: number;
}

export interface CatalogueEventPropertiesTable {
  event_name: string;
  property: string;
  type: string;
}

export interface CatalogueAttributesTable {
  name: string;
  type: string;
}

export interface CatalogueTagsTable {
  name: string;
  type: string;
}

export interface TaskGroupsTable {
  id: string;
  name: string;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface ActivitiesTable {
  id: string;
  name: string;
  description: string | null;
  starts_at: number | null;
  ends_at: number | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface FoundationTables {
  roles: RolesTable;
  members: MembersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  settings: SettingsTable;
  profiles: ProfilesTable;
  identities: IdentitiesTable;
  profile_attributes: ProfileAttributesTable;
  profile_tags: ProfileTagsTable;
  events: EventsTable;
  catalogue_events: CatalogueEventsTable;
  catalogue_event_properties: CatalogueEventPropertiesTable;
  catalogue_attributes: CatalogueAttributesTable;
  catalogue_tags: CatalogueTagsTable;
  task_groups: TaskGroupsTable;
  activities: ActivitiesTable;
}
