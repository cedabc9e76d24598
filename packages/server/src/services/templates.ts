import { parseTemplateSlots, templateDefinitionSchema, type TemplateDefinition, type TemplateSlot } from '@wareach/core';
import { z } from 'zod';
import type { TemplateRow, TemplateStore } from '../adapters/storage/template-store';
import type { CloudApiClient, MetaTemplate } from '../adapters/whatsapp/cloud-api-client';
import type { AuditLog } from './audit';
import { graphAppError, type ChannelService } from './channels';
import { conflict, notFound, validationError } from './errors';
import type { Actor, Clock, IdSource } from './ports';

export const TEMPLATE_CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;

/** A template to create and submit (NOTES section 6): Meta's own field names inside `components`. */
export const createTemplateSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'must be lower-case letters, digits and underscores (at most 512)'),
  language: z.string().regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, 'must be a language code such as en_US or zh_CN'),
  category: z.enum(TEMPLATE_CATEGORIES),
  parameterFormat: z.enum(['POSITIONAL', 'NAMED']).optional(),
  components: z.array(z.record(z.string(), z.unknown())).min(1, 'must have at least a BODY component'),
});
export type CreateTemplateInput = z.infer<typeof createTemplateSchema>;

export interface TemplateView {
  id: string;
  channelId: string;
  metaId: string | null;
  name: string;
  language: string;
  status: string;
  category: string | null;
  parameterFormat: string | null;
  components: unknown[];
  rejectedReason: string | null;
  qualityScore: string | null;
  /** The variables to bind at send time (core's parseTemplateSlots); null when the template is not supported. */
  slots: readonly TemplateSlot[] | null;
  /** Ready to put in a template content's `template` field; null when not supported (e.g. carousels). */
  definition: TemplateDefinition | null;
  unsupportedReason: string | null;
  updatedAt: string;
  syncedAt: string | null;
}

/** An APPROVED template, the only kind a task may send. */
export interface ApprovedTemplate {
  id: string;
  channelId: string;
  name: string;
  language: string;
  category: string | null;
  definition: TemplateDefinition;
  slots: readonly TemplateSlot[];
}

function parseDefinition(row: TemplateRow): { ok: true; value: TemplateDefinition } | { ok: false; reason: string } {
  const p = templateDefinitionSchema.safeParse({
    name: row.name,
    language: row.language,
    ...(row.parameter_format ? { parameterFormat: row.parameter_format } : {}),
    components: JSON.parse(row.components) as unknown,
  });
  if (p.success) return { ok: true, value: p.data };
  return { ok: false, reason: p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
}

export function toTemplateView(row: TemplateRow): TemplateView {
  const def = parseDefinition(row);
  return {
    id: row.id,
    channelId: row.channel_id,
    metaId: row.meta_id,
    name: row.name,
    language: row.language,
    status: row.status,
    category: row.category,
    parameterFormat: row.parameter_format,
    components: JSON.parse(row.components) as unknown[],
    rejectedReason: row.rejected_reason,
    qualityScore: row.quality_score,
    slots: def.ok ? parseTemplateSlots(def.value.components, def.value.parameterFormat) : null,
    definition: def.ok ? def.value : null,
    unsupportedReason: def.ok ? null : def.reason,
    updatedAt: new Date(row.updated_at).toISOString(),
    syncedAt: row.synced_at === null ? null : new Date(row.synced_at).toISOString(),
  };
}

const upper = (s: string | undefined | null) => (s ? s.toUpperCase() : null);

/** Templates of WhatsApp channels: sync from the WABA, list with their variable slots, create and submit. */
export function createTemplateService(deps: {
  store: TemplateStore;
  channels: ChannelService;
  client: CloudApiClient;
  audit: AuditLog;
  clock: Clock;
  ids: IdSource;
}) {
  const { store, channels, client, audit, clock, ids } = deps;

  async function targetOf(channelId: string) {
    const l = await channels.withSecrets(channelId);
    if (!l) throw notFound('channel', channelId);
    return { channel: l.channel, target: { baseUrl: l.channel.base_url, version: l.channel.api_version, accessToken: l.secrets.accessToken } };
  }

  const rowOf = (channelId: string, t: MetaTemplate, now: number) => ({
    id: ids.next(),
    channel_id: channelId,
    meta_id: t.id ?? null,
    name: t.name,
    language: t.language,
    status: upper(t.status) ?? 'PENDING',
    category: upper(t.category),
    parameter_format: upper(t.parameter_format),
    components: JSON.stringify(t.components ?? []),
    rejected_reason: t.rejected_reason && t.rejected_reason !== 'NONE' ? t.rejected_reason : null,
    quality_score: t.quality_score?.score ?? null,
    created_at: now,
    updated_at: now,
    synced_at: now,
  });

  return {
    /** Reads every page of `GET /{waba-id}/message_templates` and upserts by name + language. */
    async sync(actor: Actor, channelId: string, opts: { pageSize?: number } = {}) {
      const { channel, target } = await targetOf(channelId);
      const r = await client.listTemplates(target, channel.waba_id, opts.pageSize ? { pageSize: opts.pageSize } : {});
      if (!r.ok) {
        if (r.error.classification.kind === 'token') await channels.pauseChannel(channelId, `access token refused while syncing templates: (#${r.error.code}) ${r.error.title}`);
        throw graphAppError('Template sync failed', r.error);
      }
      const now = clock.now();
      const valid = r.value.filter((t) => typeof t.name === 'string' && typeof t.language === 'string');
      await store.upsert(valid.map((t) => rowOf(channelId, t, now)));
      const deleted = await store.markMissingDeleted(channelId, valid, now);
      const byStatus: Record<string, number> = {};
      for (const t of valid) byStatus[upper(t.status) ?? 'PENDING'] = (byStatus[upper(t.status) ?? 'PENDING'] ?? 0) + 1;
      await audit.record(actor, { action: 'template.sync', entityType: 'channel', entityId: channelId, details: { templates: valid.length, pages: r.pages ?? 1, deleted, byStatus } });
      return { templates: valid.length, pages: r.pages ?? 1, deleted, byStatus, syncedAt: new Date(now).toISOString() };
    },

    async list(q: { channelId?: string; status?: string; q?: string; limit: number; offset: number }) {
      const r = await store.list(q);
      return { items: r.items.map(toTemplateView), total: r.total };
    },

    async get(id: string): Promise<TemplateView> {
      const row = await store.get(id);
      if (!row) throw notFound('template', id);
      return toTemplateView(row);
    },

    /** Creates the template at Meta (it starts PENDING; a later sync or status webhook brings the verdict). */
    async create(actor: Actor, channelId: string, input: CreateTemplateInput): Promise<TemplateView> {
      const def = templateDefinitionSchema.safeParse({ name: input.name, language: input.language, ...(input.parameterFormat ? { parameterFormat: input.parameterFormat } : {}), components: input.components });
      if (!def.success) throw validationError(def.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })));
      const { channel, target } = await targetOf(channelId);
      if (await store.find(channelId, input.name, input.language)) {
        throw conflict(`template ${input.name} (${input.language}) already exists in this channel`, [{ path: 'name', message: 'is already used for this language' }]);
      }
      const r = await client.createTemplate(target, channel.waba_id, {
        name: input.name,
        language: input.language,
        category: input.category,
        components: input.components,
        ...(input.parameterFormat ? { parameter_format: input.parameterFormat } : {}),
      });
      if (!r.ok) {
        if (r.error.classification.kind === 'token') await channels.pauseChannel(channelId, `access token refused while creating a template: (#${r.error.code}) ${r.error.title}`);
        throw graphAppError('Template creation failed', r.error);
      }
      const now = clock.now();
      const row = rowOf(channelId, { id: r.value.id, name: input.name, language: input.language, status: r.value.status ?? 'PENDING', category: r.value.category ?? input.category, ...(input.parameterFormat ? { parameter_format: input.parameterFormat } : {}), components: input.components }, now);
      await store.upsert([{ ...row, synced_at: null }]);
      await audit.record(actor, { action: 'template.create', entityType: 'template', entityId: row.id, details: { channelId, name: input.name, language: input.language, category: input.category, metaId: r.value.id } });
      const saved = await store.find(channelId, input.name, input.language);
      return toTemplateView(saved!);
    },

    /** The approved template a task may send, or undefined (unknown, not approved, or not supported). */
    async getApprovedTemplate(channelId: string, name: string, language: string): Promise<ApprovedTemplate | undefined> {
      const row = await store.find(channelId, name, language);
      if (!row || row.status !== 'APPROVED') return undefined;
      const def = parseDefinition(row);
      if (!def.ok) return undefined;
      return { id: row.id, channelId, name, language, category: row.category, definition: def.value, slots: parseTemplateSlots(def.value.components, def.value.parameterFormat) };
    },

    /** A `message_template_status_update` webhook (APPROVED, REJECTED, PAUSED, ...). */
    async applyStatusUpdate(channelId: string, u: { metaId?: string; name?: string; language?: string; status: string; reason?: string | null }) {
      return store.setStatus(channelId, { ...(u.metaId ? { metaId: u.metaId } : {}), ...(u.name ? { name: u.name } : {}), ...(u.language ? { language: u.language } : {}) }, u.status.toUpperCase(), u.reason && u.reason !== 'NONE' ? u.reason : null, clock.now());
    },
  };
}
export type TemplateService = ReturnType<typeof createTemplateService>;
