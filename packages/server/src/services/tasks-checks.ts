import { validateContent, type FieldError, type TaskDraft } from '@wareach/core';
import type { AccessStore } from '../adapters/storage/access-store';
import type { SegmentStore } from '../adapters/storage/segment-store';
import type { TaskStore } from '../adapters/storage/task-store';
import type { Actor } from './ports';
import type { ProjectService } from './project';
import { parseRuleInput } from './segment-rules';
import type { SegmentService } from './segments';
import { canViewSegment } from './segments-access';

/** The channel developer's template lookup (services/templates.ts): only APPROVED templates are sendable. */
export interface TemplateLookup {
  getApprovedTemplate(channelId: string, name: string, language: string): Promise<unknown>;
}

const prefixed = (prefix: string, errors: FieldError[]) => errors.map((e) => ({ path: e.path === '(root)' ? prefix : `${prefix}.${e.path}`, message: e.message }));

/**
 * The checks of a task that need the database or another module, beyond core's `validateDraft` /
 * `validateForSubmit`: the audience rule (core's rule schema and limits, and the segments it names),
 * the chosen segment or CSV list, group, activity, excluded tasks, roles, and the message content
 * (core's `validateContent`; on submit, the template must be APPROVED on the channel).
 */
export function createTaskChecks(deps: {
  segments: SegmentService;
  segmentStore: SegmentStore;
  tasks: TaskStore;
  access: AccessStore;
  project: ProjectService;
  /** Resolved at use: the template service may be wired after this one. Absent: not checked. */
  templates?: () => TemplateLookup | undefined;
}) {
  async function audienceErrors(actor: Actor, def: TaskDraft, taskId: string | undefined): Promise<FieldError[]> {
    const a = def.audience;
    if (!a) return [];
    const errors: FieldError[] = [];
    if (a.mode === 'rule') {
      if (a.rule !== undefined && a.rule !== null) {
        const r = parseRuleInput(a.rule, 'audience.rule');
        if (!r.ok) errors.push(...r.error);
        else errors.push(...(await deps.segments.checkReferences(actor, r.value, 'audience.rule')));
      }
      for (const [i, id] of (a.authorisedRoleIds ?? []).entries()) {
        if (!(await deps.access.roles.get(id))) errors.push({ path: `audience.authorisedRoleIds.${i}`, message: `role ${id} does not exist` });
      }
    } else if (a.mode === 'segment' && a.segmentId !== undefined) {
      const row = await deps.segmentStore.get(a.segmentId);
      if (!row) errors.push({ path: 'audience.segmentId', message: `segment ${a.segmentId} does not exist` });
      else if (!canViewSegment(actor, row)) errors.push({ path: 'audience.segmentId', message: `you lack segment permission for "${row.name}"` });
      else if (row.visible_in_list !== 1 && row.owning_task_id !== taskId) errors.push({ path: 'audience.segmentId', message: `segment "${row.name}" is not in the segment list and cannot be reused` });
    } else if (a.mode === 'csv' && a.csvUploadId !== undefined) {
      const row = await deps.segmentStore.get(a.csvUploadId);
      if (!row || (row.kind !== 'csv' && row.kind !== 'list')) errors.push({ path: 'audience.csvUploadId', message: `${a.csvUploadId} is not an uploaded CSV list (create a segment of kind csv and upload the file into it)` });
      else if (!canViewSegment(actor, row)) errors.push({ path: 'audience.csvUploadId', message: `you lack segment permission for "${row.name}"` });
    }
    for (const [i, id] of (a.exclusion?.taskIds ?? []).entries()) {
      if (id === taskId) errors.push({ path: `audience.exclusion.taskIds.${i}`, message: 'a task cannot exclude itself' });
      else if (!(await deps.tasks.get(id))) errors.push({ path: `audience.exclusion.taskIds.${i}`, message: `task ${id} does not exist` });
    }
    return errors;
  }

  async function basicErrors(def: TaskDraft): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    const b = def.basic;
    if (!b?.name) errors.push({ path: 'basic.name', message: 'Name the task' });
    if (b?.groupId !== undefined && !(await deps.project.listGroups()).some((g) => g.id === b.groupId)) {
      errors.push({ path: 'basic.groupId', message: `group ${b.groupId} does not exist` });
    }
    if (b?.activityId !== undefined && !(await deps.project.listActivities()).some((g) => g.id === b.activityId)) {
      errors.push({ path: 'basic.activityId', message: `activity ${b.activityId} does not exist` });
    }
    return errors;
  }

  async function contentErrors(def: TaskDraft, submit: boolean): Promise<FieldError[]> {
    const d = def.delivery;
    if (d?.content === undefined || d.content === null) return [];
    const r = validateContent(d.content);
    if (!r.ok) return prefixed('delivery.content', r.error);
    const content = r.value;
    const templates = deps.templates?.();
    if (submit && content.type === 'template' && templates && d.channelId) {
      const { name, language } = content.template;
      if (!(await templates.getApprovedTemplate(d.channelId, name, language))) {
        return [{ path: 'delivery.content.template', message: `template "${name}" (${language}) is not an APPROVED template of channel ${d.channelId}: sync the templates or choose an approved one` }];
      }
    }
    return [];
  }

  return {
    /** Every problem at once, so one round trip shows them all. */
    async check(actor: Actor, def: TaskDraft, opts: { submit: boolean; taskId?: string }): Promise<FieldError[]> {
      return [...(await basicErrors(def)), ...(await audienceErrors(actor, def, opts.taskId)), ...(await contentErrors(def, opts.submit))];
    },
  };
}
export type TaskChecks = ReturnType<typeof createTaskChecks>;
