import { err, nextWallTime, ok, parseClockTime, ruleReferences, type AudienceRule, type FieldError, type Result } from '@wareach/core';
import type { AccessStore } from '../adapters/storage/access-store';
import { memberSetKey, type SegmentRow, type SegmentStore } from '../adapters/storage/segment-store';
import type { TaskStore } from '../adapters/storage/task-store';
import type { AudienceService, Estimate } from './audience';
import type { AuditLog } from './audit';
import { conflict, notFound, validationError } from './errors';
import type { Actor, Clock, IdSource } from './ports';
import type { ProjectService } from './project';
import { isUniqueViolation } from './tasks-errors';
import { parseRuleInput, segmentLeaves } from './segment-rules';
import {
  canViewSegment,
  DEFAULT_DAILY_REFRESH_TIME,
  lacksSegmentPermission,
  segmentView,
  storedRule,
  type RefreshMode,
  type SegmentKind,
  type SegmentView,
} from './segments-access';

export interface SegmentInput {
  name: string;
  kind: SegmentKind;
  rule?: unknown;
  subjectType?: string;
  refreshMode?: RefreshMode;
  refreshTime?: string;
  visibleInList?: boolean;
  authorisedRoleIds?: string[] | null;
}
export type SegmentPatchInput = Partial<Omit<SegmentInput, 'kind' | 'subjectType'>>;

export interface RefreshResult {
  memberCount: number;
  sendCount: number;
}

/** What a task's own rule segment looks like (SPEC step 3: `<task name>-<task ID>`). */
export interface TaskSegmentSpec {
  taskId: string;
  name: string;
  rule: AudienceRule;
  subjectType: string;
  visibleInList: boolean;
  authorisedRoleIds: string[];
  refreshMode: RefreshMode;
  refreshTime: string | null;
}

/**
 * Segments: rules, CSV lists and imported lists; role authorisation; refresh. A refresh recomputes the
 * members in one transaction; when it fails, the last members stay and the error and its time are
 * recorded on the segment.
 */
export function createSegmentService(deps: {
  store: SegmentStore;
  tasks: TaskStore;
  audience: AudienceService;
  access: AccessStore;
  audit: AuditLog;
  project: ProjectService;
  clock: Clock;
  ids: IdSource;
}) {
  const { store, audience, audit, clock } = deps;

  async function load(id: string): Promise<SegmentRow> {
    const row = await store.get(id);
    if (!row) throw notFound('segment', id);
    return row;
  }

  async function viewable(actor: Actor, id: string): Promise<SegmentRow> {
    const row = await load(id);
    if (!canViewSegment(actor, row)) throw lacksSegmentPermission(row.name);
    return row;
  }

  /**
   * Segments a rule names must exist, be in the segment list (hidden ones cannot be reused), be
   * viewable by the actor, and not lead back to `selfId`.
   */
  async function checkReferences(actor: Actor, rule: AudienceRule, prefix: string, selfId?: string): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    const leaves = segmentLeaves(rule, prefix);
    const rows = new Map((await store.getMany([...new Set(leaves.map((l) => l.segmentId))])).map((r) => [r.id, r]));
    for (const leaf of leaves) {
      const row = rows.get(leaf.segmentId);
      if (!row) errors.push({ path: leaf.path, message: `segment ${leaf.segmentId} does not exist` });
      else if (leaf.segmentId === selfId) errors.push({ path: leaf.path, message: 'a segment cannot refer to itself' });
      else if (row.visible_in_list !== 1) errors.push({ path: leaf.path, message: `segment "${row.name}" is not in the segment list and cannot be reused in other rules` });
      else if (!canViewSegment(actor, row)) errors.push({ path: leaf.path, message: `you lack segment permission for "${row.name}"` });
    }
    if (selfId && errors.length === 0 && (await reaches(rule, selfId))) {
      errors.push({ path: prefix || '(root)', message: 'the rule refers back to this segment through other segments' });
    }
    return errors;
  }

  /** Does following segment references from `rule` reach `target`? */
  async function reaches(rule: AudienceRule, target: string): Promise<boolean> {
    const seen = new Set<string>();
    let frontier = ruleReferences(rule).segments;
    while (frontier.length) {
      if (frontier.includes(target)) return true;
      frontier.forEach((id) => seen.add(id));
      const rows = await store.getMany(frontier);
      frontier = rows.flatMap((r) => (r.kind === 'rule' && r.rule ? ruleReferences(storedRule(r)).segments : [])).filter((id) => !seen.has(id));
    }
    return false;
  }

  async function checkRoles(roleIds: string[] | null | undefined, path: string): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    for (const [i, id] of (roleIds ?? []).entries()) if (!(await deps.access.roles.get(id))) errors.push({ path: `${path}.${i}`, message: `role ${id} does not exist` });
    return errors;
  }

  function refreshFields(kind: SegmentKind, mode: RefreshMode | undefined, time: string | undefined, errors: FieldError[]) {
    if (kind !== 'rule') {
      if (mode !== undefined && mode !== 'on_demand') errors.push({ path: 'refreshMode', message: `a ${kind} segment is a fixed list and is never refreshed` });
      if (time !== undefined) errors.push({ path: 'refreshTime', message: `a ${kind} segment is never refreshed` });
      return { refresh_mode: 'on_demand', refresh_time: null };
    }
    const m = mode ?? 'on_demand';
    if (time !== undefined && m !== 'daily') errors.push({ path: 'refreshTime', message: 'applies only to the daily refresh mode' });
    return { refresh_mode: m, refresh_time: m === 'daily' ? (time ?? DEFAULT_DAILY_REFRESH_TIME) : null };
  }

  async function refreshRow(row: SegmentRow): Promise<Result<RefreshResult, string>> {
    const now = clock.now();
    if (row.kind !== 'rule') return err(`a ${row.kind} segment is a fixed list and is never refreshed`);
    try {
      const rule = storedRule(row);
      if (row.refresh_mode === 'realtime') {
        // Realtime segments keep no members (they are evaluated at use); the counts are for display.
        const e = await audience.estimateRule(rule, row.subject_type);
        await store.update(row.id, { member_count: e.oneIds, send_count: e.sendIds, refreshed_at: now, last_refresh_error: null, last_refresh_error_at: null });
        return ok({ memberCount: e.oneIds, sendCount: e.sendIds });
      }
      const c = await store.refreshFromRule(row, await audience.specFor(rule, row.subject_type, now), memberSetKey(now, deps.ids.next()), now);
      if (!c) return err('the segment was changed while it was being refreshed; refresh it again');
      return ok({ memberCount: c.members, sendCount: c.phones });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      await store.recordRefreshError(row.id, message, now);
      return err(message);
    }
  }

  async function refreshSegment(id: string): Promise<Result<RefreshResult, string>> {
    const row = await store.get(id);
    if (!row) return err(`segment ${id} does not exist`);
    return refreshRow(row);
  }

  /** Names are unique ignoring case and blanks (core `nameKey`); the unique index settles a race. */
  const nameClash = (name: string) => conflict(`a segment named ${name} exists (names are compared ignoring case)`, [{ path: 'name', message: 'is already used by another segment' }]);
  async function uniqueName<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (e) {
      if (isUniqueViolation(e)) throw nameClash(name);
      throw e;
    }
  }

  async function insertSegment(actor: Actor, fields: Omit<SegmentRow, 'id' | 'created_at' | 'updated_at' | 'members_key' | 'member_count' | 'send_count' | 'refreshed_at' | 'last_refresh_error' | 'last_refresh_error_at' | 'created_by'>, id = deps.ids.next()) {
    const now = clock.now();
    const row: SegmentRow = { id, ...fields, created_by: actor.id, members_key: memberSetKey(now, deps.ids.next()), member_count: 0, send_count: 0, refreshed_at: null, last_refresh_error: null, last_refresh_error_at: null, created_at: now, updated_at: now };
    await store.insert(row);
    return row;
  }

  return {
    refreshSegment,
    canView: canViewSegment,
    viewable,
    checkReferences,

    /** Segments in the segment list that the actor may view. */
    async list(actor: Actor, q: { text?: string; kind?: SegmentKind; limit: number; offset: number }) {
      const text = q.text?.trim().toLowerCase();
      const rows = (await store.list()).filter(
        (r) => r.visible_in_list === 1 && canViewSegment(actor, r) && (!q.kind || r.kind === q.kind) && (!text || r.name.toLowerCase().includes(text) || r.id === q.text?.trim()),
      );
      return { total: rows.length, items: rows.slice(q.offset, q.offset + q.limit).map(segmentView) };
    },

    get: async (actor: Actor, id: string): Promise<SegmentView> => segmentView(await viewable(actor, id)),

    async create(actor: Actor, input: SegmentInput): Promise<SegmentView> {
      const errors: FieldError[] = [];
      const name = input.name.trim();
      let rule: AudienceRule | null = null;
      if (input.kind === 'rule') {
        if (input.rule === undefined) errors.push({ path: 'rule', message: 'a rule segment needs its rule' });
        else {
          const r = parseRuleInput(input.rule, 'rule');
          if (!r.ok) errors.push(...r.error);
          else {
            rule = r.value;
            errors.push(...(await checkReferences(actor, rule, 'rule')));
          }
        }
      } else if (input.rule !== undefined) errors.push({ path: 'rule', message: `a ${input.kind} segment has no rule: its members are uploaded` });
      const refresh = refreshFields(input.kind, input.refreshMode, input.refreshTime, errors);
      errors.push(...(await checkRoles(input.authorisedRoleIds, 'authorisedRoleIds')));
      if (errors.length) throw validationError(errors);
      if (await store.nameTaken(name)) throw nameClash(name);
      const row = await uniqueName(name, () => insertSegment(actor, {
        name, kind: input.kind, rule: rule ? JSON.stringify(rule) : null, subject_type: input.subjectType ?? 'user', ...refresh,
        visible_in_list: input.visibleInList === false ? 0 : 1,
        authorised_role_ids: input.authorisedRoleIds == null ? null : JSON.stringify([...new Set(input.authorisedRoleIds)]),
        owning_task_id: null,
      }));
      await audit.record(actor, { action: 'segment.create', entityType: 'segment', entityId: row.id, details: { name, kind: input.kind } });
      if (rule) await refreshRow(row);
      return segmentView(await load(row.id));
    },

    async update(actor: Actor, id: string, patch: SegmentPatchInput): Promise<SegmentView> {
      const row = await viewable(actor, id);
      if (row.owning_task_id) throw conflict(`this segment belongs to task ${row.owning_task_id}; change it by editing the task`);
      const errors: FieldError[] = [];
      const kind = row.kind as SegmentKind;
      let rule: AudienceRule | undefined;
      if (patch.rule !== undefined) {
        if (kind !== 'rule') errors.push({ path: 'rule', message: `a ${kind} segment has no rule: its members are uploaded` });
        else {
          const r = parseRuleInput(patch.rule, 'rule');
          if (!r.ok) errors.push(...r.error);
          else {
            rule = r.value;
            errors.push(...(await checkReferences(actor, rule, 'rule', id)));
          }
        }
      }
      const modeChanged = patch.refreshMode !== undefined || patch.refreshTime !== undefined;
      const refresh = modeChanged
        ? refreshFields(kind, patch.refreshMode ?? (row.refresh_mode as RefreshMode), patch.refreshTime ?? (patch.refreshMode === undefined ? row.refresh_time ?? undefined : undefined), errors)
        : undefined;
      errors.push(...(await checkRoles(patch.authorisedRoleIds, 'authorisedRoleIds')));
      if (errors.length) throw validationError(errors);
      const name = patch.name?.trim();
      if (name !== undefined && (await store.nameTaken(name, id))) throw nameClash(name);
      await uniqueName(name ?? '', () => store.update(id, {
        ...(name !== undefined ? { name } : {}),
        ...(rule ? { rule: JSON.stringify(rule) } : {}),
        ...(refresh ?? {}),
        ...(patch.visibleInList !== undefined ? { visible_in_list: patch.visibleInList ? 1 : 0 } : {}),
        ...(patch.authorisedRoleIds !== undefined ? { authorised_role_ids: patch.authorisedRoleIds === null ? null : JSON.stringify([...new Set(patch.authorisedRoleIds)]) } : {}),
        updated_at: clock.now(),
      }));
      await audit.record(actor, { action: 'segment.update', entityType: 'segment', entityId: id, details: { fields: Object.keys(patch) } });
      const next = await load(id);
      if (rule || (refresh && next.refresh_mode !== row.refresh_mode)) await refreshRow(next);
      return segmentView(await load(id));
    },

    async delete(actor: Actor, id: string): Promise<void> {
      const row = await viewable(actor, id);
      if (row.owning_task_id) throw conflict(`this segment belongs to task ${row.owning_task_id} and goes with it`);
      const users = await deps.tasks.usingSegment(id);
      if (users.length) throw conflict(`the segment is the audience of ${users.length} task(s); change or finish them first`, users.map((t) => ({ path: 'tasks', message: `${t.name} (${t.id}, ${t.state})` })));
      const referrers = (await store.list()).filter((r) => r.kind === 'rule' && r.rule && r.id !== id && ruleReferences(storedRule(r)).segments.includes(id));
      if (referrers.length) throw conflict('other segments refer to this one in their rules', referrers.map((r) => ({ path: 'segments', message: `${r.name} (${r.id})` })));
      await store.delete(id);
      await audit.record(actor, { action: 'segment.delete', entityType: 'segment', entityId: id, details: { name: row.name } });
    },

    async refresh(actor: Actor, id: string): Promise<SegmentView> {
      const row = await viewable(actor, id);
      if (row.kind !== 'rule') throw conflict(`a ${row.kind} segment is a fixed list and is never refreshed; upload a new file instead`);
      const r = await refreshRow(row);
      await audit.record(actor, { action: 'segment.refresh', entityType: 'segment', entityId: id, details: r.ok ? { ...r.value } : { error: r.error } });
      return segmentView(await load(id));
    },

    async estimate(actor: Actor, input: { rule?: unknown; subjectType?: string; segmentId?: string }): Promise<Estimate> {
      if ((input.rule === undefined) === (input.segmentId === undefined)) {
        throw validationError([{ path: input.rule === undefined ? 'rule' : 'segmentId', message: 'give either a rule or a segmentId' }]);
      }
      if (input.segmentId !== undefined) return audience.estimateSegment(await viewable(actor, input.segmentId));
      const r = parseRuleInput(input.rule, 'rule');
      if (!r.ok) throw validationError(r.error);
      const refErrors = await checkReferences(actor, r.value, 'rule');
      if (refErrors.length) throw validationError(refErrors);
      return audience.estimateRule(r.value, input.subjectType ?? 'user');
    },

    async members(actor: Actor, id: string, page: { limit: number; offset: number }) {
      return audience.memberPage(await viewable(actor, id), page.limit, page.offset);
    },

    /**
     * Creates or updates a task's own rule segment. Its members are computed by `refreshSegment`
     * (the task service calls it on submit).
     */
    async upsertTaskSegment(actor: Actor, spec: TaskSegmentSpec, existingId: string | null): Promise<SegmentRow> {
      const fields = {
        name: spec.name, kind: 'rule', rule: JSON.stringify(spec.rule), subject_type: spec.subjectType,
        refresh_mode: spec.refreshMode, refresh_time: spec.refreshTime, visible_in_list: spec.visibleInList ? 1 : 0,
        authorised_role_ids: JSON.stringify([...new Set(spec.authorisedRoleIds)]), owning_task_id: spec.taskId,
      };
      const existing = existingId ? await store.get(existingId) : undefined;
      if (existing && existing.owning_task_id === spec.taskId) {
        await store.update(existing.id, { ...fields, updated_at: clock.now() });
        return load(existing.id);
      }
      const row = await insertSegment(actor, fields);
      await audit.record(actor, { action: 'segment.create', entityType: 'segment', entityId: row.id, details: { name: spec.name, kind: 'rule', taskId: spec.taskId } });
      return row;
    },

    /** Deletes the segments a task owns (the task is deleted, or no longer uses a rule audience). */
    async deleteTaskSegments(taskId: string, keepId?: string | null): Promise<void> {
      for (const row of await store.byOwningTask(taskId)) if (row.id !== keepId) await store.delete(row.id);
    },

    /**
     * Refreshes the daily rule segments whose daily time (project timezone) has come since their last
     * refresh; one attempt per day (a failure waits for the next day or a manual refresh). The
     * scheduler calls this on its tick.
     */
    async refreshDueDailySegments(now: number = clock.now()): Promise<{ refreshed: string[]; failed: string[] }> {
      const { timezone } = await deps.project.getSettings();
      const out = { refreshed: [] as string[], failed: [] as string[] };
      for (const row of await store.daily()) {
        const due = lastWallTime(row.refresh_time ?? DEFAULT_DAILY_REFRESH_TIME, now, timezone);
        if (row.refreshed_at !== null && row.refreshed_at >= due) continue;
        if (row.last_refresh_error_at !== null && row.last_refresh_error_at >= due) continue;
        const r = await refreshRow(row);
        (r.ok ? out.refreshed : out.failed).push(row.id);
      }
      return out;
    },
  };
}
export type SegmentService = ReturnType<typeof createSegmentService>;

/** The latest instant at or before `now` whose wall time in `timezone` is `hhmm`. */
export function lastWallTime(hhmm: string, now: number, timezone: string): number {
  const time = parseClockTime(hhmm);
  let t = nextWallTime(time, now - 3 * 86_400_000, timezone);
  for (;;) {
    const next = nextWallTime(time, t, timezone);
    if (next > now) return t;
    t = next;
  }
}
