import {
  approvalTimeoutDecision,
  defaultEndAt,
  isEventTrigger,
  ok,
  previewTiming,
  transitionTask,
  validateDraft,
  validateForSubmit,
  validateTrigger,
  type ApprovalTimeoutDecision,
  type PauseMode,
  type Result,
  type TaskAction,
  type TaskDefinition,
  type TaskDraft,
  type TaskState,
  type TimingPreview,
  type TransitionContext,
  type TransitionRefusal,
  type TriggerType,
} from '@wareach/core';
import type { SegmentStore } from '../adapters/storage/segment-store';
import type { TaskPatch, TaskRow, TaskStore } from '../adapters/storage/task-store';
import type { AuditLog } from './audit';
import { conflict, invalidState, notFound, validationError } from './errors';
import { systemActor, type Actor, type Clock, type IdSource } from './ports';
import type { ProjectService } from './project';
import { parseRuleInput } from './segment-rules';
import type { SegmentService } from './segments';
import { canViewSegment, isAdmin, lacksSegmentPermission } from './segments-access';
import type { TaskChecks } from './tasks-checks';
import { isUniqueViolation, nameKey, refusalError } from './tasks-errors';
import { taskRecord, taskView, type TaskRecord, type TaskView } from './tasks-view';

export const TASK_STEPS = ['basic', 'audience', 'trigger', 'delivery'] as const;
export type TaskStepsPatch = Partial<Record<(typeof TASK_STEPS)[number], unknown>> & { version?: number };

export interface TaskListQuery {
  states?: TaskState[];
  triggerTypes?: TriggerType[];
  groupId?: string;
  activityId?: string;
  text?: string;
  limit: number;
  offset: number;
}

/**
 * Tasks: drafts, submission, approval and the rest of the life cycle (core's state machine decides
 * every transition; each one is written conditionally on the version read and recorded in the audit
 * log with who, when and the comment), copies, and the reads the engine needs.
 */
export function createTaskService(deps: {
  store: TaskStore;
  checks: TaskChecks;
  segments: SegmentService;
  segmentStore: SegmentStore;
  project: ProjectService;
  audit: AuditLog;
  clock: Clock;
  ids: IdSource;
  /** Told after every committed change of a task (the engine drops its cached trigger index). */
  onChanged?: (taskId: string) => void;
}) {
  const { store, segments, audit, clock } = deps;

  async function load(id: string): Promise<TaskRecord> {
    const row = await store.get(id);
    if (!row) throw notFound('task', id);
    return taskRecord(row);
  }

  /**
   * SPEC step 3: a member whose role the task's rule segment is not authorised to (and the chosen
   * segment's authorisation) may not view, edit or copy the task. Admins and the task's creator may.
   */
  async function assertSegmentAccess(actor: Actor, t: TaskRecord, mode: 'read' | 'write' = 'write'): Promise<void> {
    if (isAdmin(actor) || (t.createdBy !== null && t.createdBy === actor.id)) return;
    // An approver must read what they are asked to approve (and what they approved): viewing a task
    // that left draft needs only `task.approve`; editing and copying still need the segment.
    if (mode === 'read' && t.state !== 'draft' && actor.permissions.has('task.approve')) return;
    const a = t.definition.audience;
    if (a?.mode === 'rule') {
      if (!(actor.roleId !== null && (a.authorisedRoleIds ?? []).includes(actor.roleId))) throw lacksSegmentPermission(`${t.name}-${t.id}`);
      return;
    }
    const segmentId = a?.mode === 'segment' ? a.segmentId : a?.mode === 'csv' ? a.csvUploadId : undefined;
    const row = segmentId ? await deps.segmentStore.get(segmentId) : undefined;
    if (row && !canViewSegment(actor, row)) throw lacksSegmentPermission(row.name);
  }

  async function prepare(actor: Actor, input: unknown, opts: { taskId?: string }): Promise<TaskDraft> {
    const v = validateDraft(input);
    if (!v.ok) {
      // Report the server's own checks too, on the steps that are valid on their own, so one round
      // trip shows every problem.
      const steps: Record<string, unknown> = {};
      for (const step of TASK_STEPS) {
        const value = (input as Record<string, unknown> | null)?.[step];
        const alone = value === undefined ? undefined : validateDraft({ [step]: value });
        if (alone?.ok) steps[step] = (alone.value as Record<string, unknown>)[step];
      }
      const more = await deps.checks.check(actor, steps as TaskDraft, { submit: false, ...(opts.taskId ? { taskId: opts.taskId } : {}) });
      const paths = new Set(v.error.map((e) => e.path));
      // A basic step that failed on its own was left out: its name is not missing, it is invalid.
      const basicLeftOut = !('basic' in steps) && typeof input === 'object' && input !== null && 'basic' in input;
      throw validationError([...v.error, ...more.filter((e) => !paths.has(e.path) && !(basicLeftOut && e.path === 'basic.name'))]);
    }
    const def = v.value;
    if (def.audience?.mode === 'rule' && def.audience.syncToSegmentList === undefined) {
      // The admin's default (settings centre) when the operator did not choose.
      def.audience.syncToSegmentList = (await deps.project.getSettings()).syncToSegmentListDefault;
    }
    const errors = await deps.checks.check(actor, def, { submit: false, ...(opts.taskId ? { taskId: opts.taskId } : {}) });
    if (errors.length) throw validationError(errors);
    return def;
  }

  async function assertNameFree(name: string, taskId?: string) {
    const clash = await store.byNameKey(nameKey(name));
    if (clash && clash.id !== taskId) throw conflict(`a task named "${clash.name}" exists`, [{ path: 'basic.name', message: `is already used by task ${clash.id} (names are compared ignoring case and surrounding blanks)` }]);
  }

  /**
   * The task's audience segment: its own rule segment (`<task name>-<task ID>`, created or updated
   * here), the chosen segment, or the CSV list. Scheduled tasks' rule segments refresh on demand,
   * triggered tasks' daily at 06:00 (SPEC step 4).
   */
  async function syncAudienceSegment(actor: Actor, t: { id: string; name: string; createdBy: string | null; audienceSegmentId: string | null }, def: TaskDraft): Promise<string | null> {
    const a = def.audience;
    if (a?.mode === 'rule') {
      const rule = a.rule === undefined ? undefined : parseRuleInput(a.rule, 'audience.rule');
      if (!rule?.ok) return t.audienceSegmentId;
      const triggered = def.trigger?.type === 'triggered' || def.trigger?.type === 'triggered_not';
      const row = await segments.upsertTaskSegment(
        { ...actor, id: t.createdBy ?? actor.id },
        {
          taskId: t.id, name: `${t.name}-${t.id}`, rule: rule.value, subjectType: def.basic?.subjectType ?? 'user',
          visibleInList: a.syncToSegmentList ?? true, authorisedRoleIds: a.authorisedRoleIds ?? [],
          refreshMode: triggered ? 'daily' : 'on_demand', refreshTime: triggered ? '06:00' : null,
        },
        t.audienceSegmentId,
      );
      return row.id;
    }
    await segments.deleteTaskSegments(t.id);
    if (a?.mode === 'segment') return a.segmentId ?? null;
    if (a?.mode === 'csv') return a.csvUploadId ?? null;
    return null;
  }

  function columns(def: TaskDraft): Pick<TaskRow, 'name' | 'name_key' | 'trigger_type' | 'group_id' | 'activity_id' | 'subject_type' | 'definition'> {
    const name = def.basic?.name ?? '';
    return {
      name, name_key: nameKey(name), trigger_type: def.trigger?.type ?? null, group_id: def.basic?.groupId ?? null,
      activity_id: def.basic?.activityId ?? null, subject_type: def.basic?.subjectType ?? 'user', definition: JSON.stringify(def),
    };
  }

  async function write(t: TaskRecord, patch: TaskPatch): Promise<TaskRecord> {
    try {
      if (!(await store.updateIf(t.id, { state: t.state, version: t.version }, { ...patch, updated_at: clock.now() }))) {
        throw conflict('The task was changed by someone else meanwhile; reload it and try again');
      }
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict('a task with this name exists', [{ path: 'basic.name', message: 'is already used by another task' }]);
      throw e;
    }
    deps.onChanged?.(t.id);
    return load(t.id);
  }

  async function create(actor: Actor, input: unknown): Promise<TaskRecord> {
    const id = deps.ids.next();
    const def = await prepare(actor, input, { taskId: id });
    const cols = columns(def);
    await assertNameFree(cols.name);
    const now = clock.now();
    const segmentId = await syncAudienceSegment(actor, { id, name: cols.name, createdBy: actor.id, audienceSegmentId: null }, def);
    try {
      await store.insert({
        id, ...cols, state: 'draft', audience_segment_id: segmentId, created_by: actor.id, submitted_by: null, approved_by: null,
        paused_policy: null, created_at: now, updated_at: now, submitted_at: null, approved_at: null, state_changed_at: now, version: 1,
      });
    } catch (e) {
      await segments.deleteTaskSegments(id);
      if (isUniqueViolation(e)) throw conflict('a task with this name exists', [{ path: 'basic.name', message: 'is already used by another task' }]);
      throw e;
    }
    await audit.record(actor, { action: 'task.create', entityType: 'task', entityId: id, details: { name: cols.name, state: 'draft' } });
    return load(id);
  }

  /** Applies a life-cycle action through core's state machine; every applied one is audited. */
  async function transition(actor: Actor, id: string, action: TaskAction, opts: { comment?: string; pausedPolicy?: PauseMode } = {}): Promise<Result<TaskRecord, TransitionRefusal>> {
    const t = await load(id);
    const now = clock.now();
    const ctx: TransitionContext = { triggerType: t.triggerType ?? 'scheduled_once' };
    if (action === 'approve' || action === 'reject') {
      const { allowSelfApproval } = await deps.project.getSettings();
      const actorId = actor.id ?? '';
      const own = (t.createdBy !== null && t.createdBy === actorId) || (t.submittedBy !== null && t.submittedBy === actorId);
      ctx.approver = { actorId, ownerId: own ? actorId : (t.createdBy ?? ''), allowSelfApproval };
      const trigger = (t.definition as TaskDefinition).trigger;
      if (action === 'approve' && trigger) ctx.approvalWindow = { trigger, now: new Date(now) };
    }
    const r = transitionTask(t.state, action, ctx);
    if (!r.ok) return r;
    const patch: TaskPatch = { state: r.value, state_changed_at: now };
    if (action === 'approve') Object.assign(patch, { approved_by: actor.id, approved_at: now });
    if (action === 'pause') patch.paused_policy = opts.pausedPolicy ?? 'hold';
    if (r.value !== 'paused') patch.paused_policy = null;
    const next = await write(t, patch);
    await audit.record(actor, {
      action: `task.${action}`, entityType: 'task', entityId: id,
      details: { from: t.state, to: r.value, ...(opts.comment ? { comment: opts.comment } : {}), ...(action === 'pause' ? { pausedPolicy: patch.paused_policy } : {}) },
    });
    return ok(next);
  }

  /**
   * Approving, rejecting, cancelling, pausing and resuming are not viewing, editing or copying: the
   * segment authorisation does not apply (an approver need not be authorised to the segment).
   */
  async function act(actor: Actor, id: string, action: TaskAction, opts: { comment?: string; pausedPolicy?: PauseMode } = {}): Promise<TaskView> {
    const r = await transition(actor, id, action, opts);
    if (!r.ok) throw refusalError(r.error);
    return taskView(r.value);
  }

  async function freeCopyName(name: string): Promise<string> {
    for (let i = 1; i < 1000; i++) {
      const suffix = i === 1 ? ' (copy)' : ` (copy ${i})`;
      const candidate = name.slice(0, 100 - suffix.length) + suffix;
      if (!(await store.byNameKey(nameKey(candidate)))) return candidate;
    }
    throw conflict('no free name for the copy; give one');
  }

  return {
    /** Creates a draft (POST /api/v1/tasks). */
    create: async (actor: Actor, input: unknown): Promise<TaskView> => taskView(await create(actor, input)),

    async get(actor: Actor, id: string): Promise<TaskView> {
      const t = await load(id);
      await assertSegmentAccess(actor, t, 'read');
      return taskView(t);
    },

    async list(q: TaskListQuery) {
      const r = await store.list({
        ...(q.states ? { states: q.states } : {}), ...(q.triggerTypes ? { triggerTypes: q.triggerTypes } : {}),
        ...(q.groupId ? { groupId: q.groupId } : {}), ...(q.activityId ? { activityId: q.activityId } : {}), ...(q.text ? { text: q.text } : {}),
        limit: q.limit, offset: q.offset,
      });
      return { total: r.total, items: r.rows.map((row) => taskView(taskRecord(row))) };
    },

    /**
     * Replaces the steps given (basic, audience, trigger, delivery; null removes one). Editing a
     * pending, approved or rejected task returns it to draft (core's `edit`); running, paused and
     * final tasks cannot be edited.
     */
    async update(actor: Actor, id: string, patch: TaskStepsPatch): Promise<TaskView> {
      const t = await load(id);
      await assertSegmentAccess(actor, t);
      if (patch.version !== undefined && patch.version !== t.version) {
        throw conflict(`The task was changed since you loaded it (it is at version ${t.version}, you sent ${patch.version}); reload it`);
      }
      const edit = transitionTask(t.state, 'edit', { triggerType: t.triggerType ?? 'scheduled_once' });
      if (!edit.ok) throw refusalError(edit.error);
      const merged: Record<string, unknown> = { ...t.definition };
      for (const step of TASK_STEPS) {
        if (!(step in patch)) continue;
        if (patch[step] === null) delete merged[step];
        else merged[step] = patch[step];
      }
      const def = await prepare(actor, merged, { taskId: id });
      const cols = columns(def);
      await assertNameFree(cols.name, id);
      const segmentId = await syncAudienceSegment(actor, t, def);
      const now = clock.now();
      const next = await write(t, {
        ...cols, audience_segment_id: segmentId, state: edit.value,
        ...(edit.value !== t.state ? { state_changed_at: now, submitted_by: null, submitted_at: null, approved_by: null, approved_at: null } : {}),
      });
      await audit.record(actor, { action: 'task.edit', entityType: 'task', entityId: id, details: { from: t.state, to: edit.value, steps: TASK_STEPS.filter((s) => s in patch) } });
      return taskView(next);
    },

    /** Drafts only; a task that was ever submitted is cancelled instead, and stays in the history. */
    async delete(actor: Actor, id: string): Promise<void> {
      const t = await load(id);
      await assertSegmentAccess(actor, t);
      if (t.state !== 'draft') throw invalidState(`Only a draft can be deleted; this task is ${t.state.replace('_', ' ')} (cancel it instead)`);
      if (!(await store.delete(id, 'draft'))) throw conflict('The task was changed by someone else meanwhile; reload it');
      await segments.deleteTaskSegments(id);
      await audit.record(actor, { action: 'task.delete', entityType: 'task', entityId: id, details: { name: t.name } });
    },

    /**
     * Submits for approval: core's `validateForSubmit` at now in the project timezone, the checks that
     * need the database (template APPROVED, segments), then the rule segment is saved and refreshed.
     */
    async submit(actor: Actor, id: string, comment?: string): Promise<TaskView> {
      const t = await load(id);
      await assertSegmentAccess(actor, t);
      const move = transitionTask(t.state, 'submit', { triggerType: t.triggerType ?? 'scheduled_once' });
      if (!move.ok) throw refusalError(move.error);
      const settings = await deps.project.getSettings();
      const now = clock.now();
      const v = validateForSubmit(t.definition, { now: new Date(now), timezone: settings.timezone });
      if (!v.ok) throw validationError(v.error, 'The task cannot be submitted yet');
      const def = v.value;
      if (isEventTrigger(def.trigger) && def.trigger.endAt === undefined) {
        // Filled by the system (range end plus the longest delay) and editable afterwards.
        def.trigger.endAt = defaultEndAt(def.trigger, settings.timezone).toISOString();
      }
      const errors = await deps.checks.check(actor, def as TaskDraft, { submit: true, taskId: id });
      if (errors.length) throw validationError(errors, 'The task cannot be submitted yet');
      const segmentId = await syncAudienceSegment(actor, t, def as TaskDraft);
      const next = await write(t, { ...columns(def as TaskDraft), audience_segment_id: segmentId, state: move.value, state_changed_at: now, submitted_by: actor.id, submitted_at: now });
      await audit.record(actor, { action: 'task.submit', entityType: 'task', entityId: id, details: { from: t.state, to: move.value, ...(comment ? { comment } : {}) } });
      // Members now, so the estimate, the approver and a triggered task's audience check have them;
      // a failure is recorded on the segment and the scheduled refresh tries again.
      if (def.audience.mode === 'rule' && segmentId) await segments.refreshSegment(segmentId);
      return taskView(next);
    },

    approve: (actor: Actor, id: string, comment?: string) => act(actor, id, 'approve', comment ? { comment } : {}),
    reject: (actor: Actor, id: string, comment: string) => act(actor, id, 'reject', { comment }),
    cancel: (actor: Actor, id: string, comment?: string) => act(actor, id, 'cancel', comment ? { comment } : {}),
    pause: (actor: Actor, id: string, pausedPolicy: PauseMode, comment?: string) => act(actor, id, 'pause', { pausedPolicy, ...(comment ? { comment } : {}) }),
    resume: (actor: Actor, id: string, comment?: string) => act(actor, id, 'resume', comment ? { comment } : {}),

    /** A new draft with the same definition (its rule segment is its own); the name gets " (copy)". */
    async copy(actor: Actor, id: string, name?: string): Promise<TaskView> {
      const t = await load(id);
      await assertSegmentAccess(actor, t);
      const def = structuredClone(t.definition) as Record<string, unknown> & TaskDraft;
      def.basic = { ...(def.basic ?? {}), name: name?.trim() || (await freeCopyName(t.name)) } as TaskDraft['basic'];
      const created = await create(actor, def);
      await audit.record(actor, { action: 'task.copy', entityType: 'task', entityId: created.id, details: { from: id } });
      return taskView(created);
    },

    async auditTrail(actor: Actor, id: string, q: { limit: number; beforeId?: number }) {
      const t = await load(id);
      await assertSegmentAccess(actor, t, 'read');
      return audit.list({ entityType: 'task', entityId: id, limit: q.limit, ...(q.beforeId ? { beforeId: q.beforeId } : {}) });
    },

    /** "When would this send?": core's previewTiming in the project timezone. */
    async previewTiming(input: { trigger: unknown; events?: { a: string[]; b?: string[] }; limit?: number }): Promise<TimingPreview> {
      const trigger = validateTrigger(input.trigger, { pathPrefix: 'trigger' });
      if (!trigger.ok) throw validationError(trigger.error);
      const { timezone } = await deps.project.getSettings();
      const r = previewTiming(trigger.value, { now: new Date(clock.now()), timezone, ...(input.events ? { events: input.events } : {}), ...(input.limit ? { limit: input.limit } : {}) });
      if (!r.ok) throw validationError(r.error);
      return r.value;
    },

    // --- For the engine --------------------------------------------------------------------------

    getTask: async (id: string): Promise<TaskRecord | undefined> => {
      const row = await store.get(id);
      return row ? taskRecord(row) : undefined;
    },

    /** Tasks in the given states (and trigger types), e.g. everything approved or running. */
    async listRunnable(q: { state: TaskState | TaskState[]; triggerType?: TriggerType | TriggerType[] }): Promise<TaskRecord[]> {
      const states = Array.isArray(q.state) ? q.state : [q.state];
      const triggerTypes = q.triggerType === undefined ? undefined : Array.isArray(q.triggerType) ? q.triggerType : [q.triggerType];
      return (await store.runnable({ states, ...(triggerTypes ? { triggerTypes } : {}) })).map(taskRecord);
    },

    /**
     * Applies an action for the engine (start, complete, end, approval_timeout, cancel, …) through
     * core's state machine, conditionally on the state read: false-y Result when not allowed.
     */
    markState: (id: string, action: TaskAction, actor: Actor = systemActor, opts: { comment?: string; pausedPolicy?: PauseMode } = {}) => transition(actor, id, action, opts),

    /** Core's decision about a task whose approval is late: wait, cancel, or run now. */
    approvalTimeoutDue(task: TaskRecord, now: number): ApprovalTimeoutDecision {
      const trigger = (task.definition as TaskDefinition).trigger;
      if (!trigger || task.state === 'draft') return 'wait';
      return approvalTimeoutDecision({ trigger, now: new Date(now), state: task.state });
    },

    countUsage: (kind: 'group' | 'activity', id: string) => store.countUsage(kind, id),
  };
}
export type TaskService = ReturnType<typeof createTaskService>;
