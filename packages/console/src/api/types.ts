/** Shapes the console reads from the API (only the fields it uses). */
export interface Member {
  id: string;
  email: string;
  name: string;
  roleId: string;
  disabled: boolean;
  createdAt: string;
}

export interface Role {
  id: string;
  name: string;
  builtin: boolean;
  permissions: string[];
}

export interface Cap {
  max: number;
  period: 'hour' | 'day' | 'week';
}

export interface ProjectSettings {
  timezone: string;
  doNotDisturb: { enabled: boolean; start: string; end: string; action: 'drop' | 'defer' };
  channelCap: Cap | null;
  crossChannelCap: Cap | null;
  segmentRefreshLeadMinutes: number;
  allowSelfApproval: boolean;
  syncToSegmentListDefault: boolean;
}

export interface LoginResult {
  member: Member;
  csrfToken: string;
  permissions: string[];
}

export interface Group {
  id: string;
  name: string;
  taskCount?: number;
  createdAt?: string | number;
}

export interface Activity {
  id: string;
  name: string;
  description?: string | null;
  startsAt?: string | null;
  endsAt?: string | null;
}

export interface CatalogueEntry {
  name: string;
  type?: string;
  valueType?: string;
  properties?: Array<{ name: string; type?: string; valueType?: string }>;
}

export interface Catalogue {
  events: CatalogueEntry[];
  attributes: CatalogueEntry[];
  tags: CatalogueEntry[];
}
