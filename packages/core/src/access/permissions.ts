/**
 * Function permissions (SPEC section 9). Every HTTP route names exactly one of these, or is public;
 * the console hides what a member lacks. Stable strings: they are stored in custom roles.
 */
export const PERMISSIONS = [
  'channel.view',
  'channel.manage',
  'task.view',
  'task.edit',
  'task.approve',
  'group.manage',
  'segment.view',
  'segment.edit',
  'report.view',
  'customer.view',
  'customer.write',
  'settings.manage',
  'member.manage',
  'sandbox.use',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const PERMISSION_DESCRIPTIONS: Record<Permission, string> = {
  'channel.view': 'View WhatsApp channels and templates',
  'channel.manage': 'Create and edit channels, templates and media; send test messages',
  'task.view': 'View tasks, their runs and deliveries',
  'task.edit': 'Create, edit, submit, copy, pause, resume and cancel tasks',
  'task.approve': 'Approve or reject tasks',
  'group.manage': 'Create, edit and delete task groups and activities (project admin)',
  'segment.view': 'View segments and estimates',
  'segment.edit': 'Create, edit, refresh and upload segments',
  'report.view': 'View reports and analytics',
  'customer.view': 'View profiles, events and the catalogue',
  'customer.write': 'Write profiles and events (data API, imports)',
  'settings.manage': 'Change project settings',
  'member.manage': 'Manage members, roles and API keys; read the audit log',
  'sandbox.use': 'Use the WhatsApp sandbox phone',
};

export type BuiltinRole = 'admin' | 'operator' | 'approver' | 'analyst';

export const BUILTIN_ROLES: Record<BuiltinRole, readonly Permission[]> = {
  admin: PERMISSIONS,
  operator: [
    'channel.view', 'task.view', 'task.edit', 'segment.view', 'segment.edit', 'report.view',
    'customer.view', 'customer.write', 'sandbox.use',
  ],
  approver: ['channel.view', 'task.view', 'task.approve', 'segment.view', 'report.view', 'customer.view', 'sandbox.use'],
  analyst: ['channel.view', 'task.view', 'segment.view', 'report.view', 'customer.view'],
};

export const isPermission = (p: string): p is Permission => (PERMISSIONS as readonly string[]).includes(p);
