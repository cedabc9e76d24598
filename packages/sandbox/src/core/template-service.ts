/**
 * `GET|POST|DELETE /{waba-id}/message_templates` (NOTES 6). New templates answer PENDING, then after
 * `templates.reviewDelayMs` turn APPROVED or REJECTED (reason INVALID_FORMAT, with the sandbox's explanation
 * kept for the inbox API) and a `message_template_status_update` webhook goes to the WABA's target.
 */
import { fail } from '../graph/graph-error';
import { parseTemplateCreate, reviewTemplate } from '../templates/review-template';
import { SAMPLE_TEMPLATES } from '../templates/sample-templates';
import type { Template, TemplateStatus } from '../templates/template-model';
import { refusal } from './send-message';
import { checkToken, unknownObject, type GraphReply, type SandboxContext } from './sandbox-context';

export function preloadTemplates(ctx: SandboxContext): void {
  if (!ctx.config.templates.preload) return;
  for (const waba of ctx.config.wabas) {
    for (const draft of SAMPLE_TEMPLATES) {
      if (!ctx.templates.find(waba.id, draft.name, draft.language)) {
        const t = ctx.templates.add(waba.id, structuredClone(draft), ctx.ids.objectId(), 'APPROVED', ctx.now());
        t.quality_score = { score: 'GREEN', date: Math.floor(ctx.now() / 1000) };
      }
    }
  }
}

const ALL_FIELDS = ['id', 'name', 'language', 'status', 'category', 'parameter_format', 'components', 'rejected_reason', 'quality_score'] as const;

export function projectTemplate(t: Template, fields: string[] | undefined): Record<string, unknown> {
  const full: Record<string, unknown> = { ...t, rejected_reason: t.rejected_reason ?? 'NONE' };
  const wanted = fields && fields.length > 0 ? new Set(['id', ...fields]) : new Set<string>(ALL_FIELDS);
  const out: Record<string, unknown> = {};
  for (const k of wanted) if (k in full) out[k] = full[k];
  return out;
}

export function listTemplates(
  ctx: SandboxContext,
  input: { wabaId: string; token: string | undefined; query: Record<string, string | undefined>; selfUrl: URL },
): GraphReply {
  const waba = ctx.accounts.waba(input.wabaId);
  const auth = checkToken(ctx, input.token, waba ? { wabaId: waba.id, id: input.wabaId, method: 'get' } : undefined);
  if (!auth.ok) return refusal(ctx, auth.failure);
  if (!waba) return refusal(ctx, unknownObject(input.wabaId, 'get'));
  const q = input.query;
  const limit = Math.min(1000, Math.max(1, Number(q['limit'] ?? 25) || 25));
  const fields = q['fields']?.split(',').map((f) => f.trim()).filter(Boolean);
  const page = ctx.templates.list(
    waba.id,
    {
      ...(q['name'] ? { name: q['name'] } : {}),
      ...(q['language'] ? { language: q['language'] } : {}),
      ...(q['status'] ? { status: q['status'] } : {}),
      ...(q['category'] ? { category: q['category'] } : {}),
    },
    limit,
    { ...(q['after'] ? { after: q['after'] } : {}), ...(q['before'] ? { before: q['before'] } : {}) },
  );
  const link = (key: 'after' | 'before', cursor: string): string => {
    const u = new URL(input.selfUrl);
    u.searchParams.delete('after');
    u.searchParams.delete('before');
    u.searchParams.set('limit', String(limit));
    u.searchParams.set(key, cursor);
    return u.toString();
  };
  const paging: Record<string, unknown> = {};
  if (page.before && page.after) paging['cursors'] = { before: page.before, after: page.after };
  if (page.hasNext && page.after) paging['next'] = link('after', page.after);
  if (page.hasPrevious && page.before) paging['previous'] = link('before', page.before);
  return { status: 200, body: { data: page.items.map((t) => projectTemplate(t, fields)), paging } };
}

export function createTemplate(ctx: SandboxContext, input: { wabaId: string; token: string | undefined; body: unknown }): GraphReply {
  const waba = ctx.accounts.waba(input.wabaId);
  const auth = checkToken(ctx, input.token, waba ? { wabaId: waba.id, id: input.wabaId, method: 'post' } : undefined);
  if (!auth.ok) return refusal(ctx, auth.failure);
  if (!waba) return refusal(ctx, unknownObject(input.wabaId, 'post'));
  const parsed = parseTemplateCreate(input.body);
  if (!parsed.ok) return refusal(ctx, parsed.failure);
  const draft = parsed.draft;
  if (ctx.templates.find(waba.id, draft.name, draft.language)) {
    return refusal(ctx, fail(100, `Content in this language already exists: ${draft.name} (${draft.language}).`, { subcode: 2388024 }));
  }
  const template = ctx.templates.add(waba.id, draft, ctx.ids.objectId(), 'PENDING', ctx.now());
  ctx.scheduler.setTimeout(() => finishReview(ctx, waba.id, template), ctx.config.templates.reviewDelayMs);
  return { status: 200, body: { id: template.id, status: template.status, category: template.category } };
}

function finishReview(ctx: SandboxContext, wabaId: string, template: Template): void {
  if (ctx.templates.get(template.id)?.template !== template) return;
  const problem = reviewTemplate(template);
  if (problem) {
    template.status = 'REJECTED';
    template.rejected_reason = 'INVALID_FORMAT';
    ctx.templateNotes.set(template.id, problem);
  } else {
    template.status = 'APPROVED';
    template.quality_score = { score: 'UNKNOWN', date: Math.floor(ctx.now() / 1000) };
  }
  emitTemplateStatus(ctx, wabaId, template);
}

/** `message_template_status_update` webhook to the WABA's target (NOTES 6). */
function emitTemplateStatus(ctx: SandboxContext, wabaId: string, template: Template): void {
  const url = ctx.accounts.wabaWebhookUrl(wabaId);
  if (!url) return;
  ctx.dispatcher.postNow(url, {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: wabaId,
        time: Math.floor(ctx.now() / 1000),
        changes: [
          {
            value: {
              event: template.status,
              message_template_id: Number(template.id),
              message_template_name: template.name,
              message_template_language: template.language,
              message_template_category: template.category,
              reason: template.rejected_reason ?? 'NONE',
            },
            field: 'message_template_status_update',
          },
        ],
      },
    ],
  });
}

/** A tester moves a template to another status (e.g. PAUSED) as Meta's quality system would. */
export function changeTemplateStatus(ctx: SandboxContext, templateId: string, status: TemplateStatus): boolean {
  const found = ctx.templates.get(templateId);
  if (!found) return false;
  found.template.status = status;
  if (status === 'APPROVED') delete found.template.rejected_reason;
  emitTemplateStatus(ctx, found.wabaId, found.template);
  return true;
}

export function deleteTemplates(
  ctx: SandboxContext,
  input: { wabaId: string; token: string | undefined; name: string | undefined; hsmId: string | undefined },
): GraphReply {
  const waba = ctx.accounts.waba(input.wabaId);
  const auth = checkToken(ctx, input.token, waba ? { wabaId: waba.id, id: input.wabaId, method: 'delete' } : undefined);
  if (!auth.ok) return refusal(ctx, auth.failure);
  if (!waba) return refusal(ctx, unknownObject(input.wabaId, 'delete'));
  if (!input.name) return refusal(ctx, fail(100, 'The parameter name is required.'));
  const removed = ctx.templates.delete(waba.id, input.name, input.hsmId);
  if (removed === 0) return refusal(ctx, fail(100, `Message template "${input.name}" was not found.`, { subcode: 2593002 }));
  return { status: 200, body: { success: true } };
}
