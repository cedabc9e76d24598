/**
 * The wizard's working copy of a task: the core task definition (`{basic, audience, trigger, delivery}`)
 * as the operator fills it in, possibly incomplete. Times are UTC ISO strings throughout; the pickers
 * convert from and to the project timezone.
 */
import type { ProjectSettings } from '../../../api/types';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json | undefined };
export type Obj = { [k: string]: Json | undefined };

export interface WizardValues {
  basic: Obj;
  audience: Obj;
  trigger: Obj;
  delivery: Obj;
}

export const STEP_KEYS = ['channel', 'basic', 'audience', 'trigger', 'delivery', 'summary'] as const;
export type StepKey = (typeof STEP_KEYS)[number];

/** Which part of the task each step edits: errors under these paths belong to the step. */
export const STEP_PATHS: Record<StepKey, string[]> = {
  channel: ['basic.subjectType'],
  basic: ['basic.name', 'basic.groupId', 'basic.activityId', 'basic'],
  audience: ['audience'],
  trigger: ['trigger'],
  delivery: ['delivery'],
  summary: [],
};

export function initialValues(settings: ProjectSettings | null): WizardValues {
  const dnd = settings?.doNotDisturb;
  return {
    basic: { name: '', subjectType: 'user' },
    audience: { mode: 'rule', rule: { kind: 'and', children: [] }, syncToSegmentList: settings?.syncToSegmentListDefault ?? true, authorisedRoleIds: [], supplementaryIds: [] },
    trigger: { type: 'scheduled_once', approvalTimeout: 'cancel', refreshSegment: true, refreshFailure: 'use_last' },
    delivery: {
      channelId: '',
      phoneNumberId: '',
      taskType: 'normal',
      content: { type: 'text', body: '' },
      globalLimit: true,
      ...(dnd?.enabled ? { dnd: { start: dnd.start, end: dnd.end, action: dnd.action } } : {}),
    },
  };
}

export function getIn(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** An immutable set by dot path (numeric segments index arrays). */
export function setIn<T>(obj: T, path: string, value: unknown): T {
  const [head, ...rest] = path.split('.');
  const key = head ?? '';
  const base: Record<string, unknown> | unknown[] = Array.isArray(obj) ? [...obj] : { ...(obj as Record<string, unknown> | undefined) };
  const current = (base as Record<string, unknown>)[key];
  const next = rest.length === 0 ? value : setIn(current ?? (/^\d+$/.test(rest[0] ?? '') ? [] : {}), rest.join('.'), value);
  if (next === undefined && !Array.isArray(base)) delete (base as Record<string, unknown>)[key];
  else (base as Record<string, unknown>)[key] = next;
  return base as T;
}

/**
 * What is sent to the API: blanks of optional fields dropped (an empty group means "no group"), so the
 * server's "choose a group" is never triggered by a field the operator left alone.
 */
export function toRequestBody(v: WizardValues): WizardValues {
  const clean = (o: unknown): unknown => {
    if (Array.isArray(o)) return o.map(clean);
    if (o && typeof o === 'object') {
      return Object.fromEntries(
        Object.entries(o)
          .filter(([, x]) => x !== undefined && x !== null && x !== '')
          .map(([k, x]) => [k, clean(x)]),
      );
    }
    return o;
  };
  const body = clean(v) as WizardValues;
  // Required strings stay present (even empty) so the server names them in its errors.
  if (v.basic.name !== undefined) body.basic.name = v.basic.name;
  return body;
}
