import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { Container } from '../../app/container';
import { validationError } from '../../services/errors';
import { CSV_COLUMNS_HELP, CSV_TEMPLATE } from '../../services/csv-audience';
import { REFRESH_MODES, SEGMENT_KINDS } from '../../services/segments-access';
import type { App } from '../types';
import { idParams, okSchema, pageQuery } from './schemas';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');
const roleIds = z.array(z.string().min(1).max(200)).max(100);
const RULE_NOTE =
  'A rule is the condition tree of the audience module: `{"kind": "and"|"or", "children": [...]}` whose leaves test attributes, tags, segment membership, behaviour (did / did not do an event, with property filters, a count and a time range) and identities; at most 5 levels and 50 conditions.';

export async function segmentRoutes(app: App, c: Container) {
  const s = c.segments;
  const tags = ['segments'];

  app.post('/api/v1/segments', {
    config: { permission: 'segment.edit' },
    schema: {
      tags, summary: 'Create a segment (rule, csv or list)',
      description: `${RULE_NOTE} Rule segments refresh \`on_demand\` (default), \`daily\` at \`refreshTime\` (project timezone, default 06:00) or \`realtime\` (evaluated at use). CSV and list segments are filled by uploading a file to /api/v1/segments/{id}/csv and are never refreshed. \`authorisedRoleIds\`: null or absent = every role with segment.view; a list = only those roles (admins and the creator always).`,
      body: z.strictObject({
        name: z.string().trim().min(1).max(200),
        kind: z.enum(SEGMENT_KINDS),
        rule: z.unknown().optional(),
        subjectType: z.string().min(1).max(64).optional(),
        refreshMode: z.enum(REFRESH_MODES).optional(),
        refreshTime: hhmm.optional(),
        visibleInList: z.boolean().optional(),
        authorisedRoleIds: roleIds.nullable().optional(),
      }),
    },
  }, async (req, reply) => reply.status(201).send(await s.create(req.actor, req.body)));

  app.get('/api/v1/segments', {
    config: { permission: 'segment.view' },
    schema: { tags, summary: 'List the segments of the segment list the caller may view', querystring: pageQuery.extend({ q: z.string().max(200).optional(), kind: z.enum(SEGMENT_KINDS).optional() }) },
  }, async (req) => s.list(req.actor, { ...(req.query.q ? { text: req.query.q } : {}), ...(req.query.kind ? { kind: req.query.kind } : {}), limit: req.query.limit, offset: req.query.offset }));

  app.get('/api/v1/segments/csv-template', {
    config: { permission: 'segment.view' },
    schema: { tags, summary: 'Download the CSV template for list uploads', description: CSV_COLUMNS_HELP },
  }, async (_req, reply) => reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="wareach-audience-template.csv"').send(CSV_TEMPLATE));

  app.post('/api/v1/segments/estimate', {
    config: { permission: 'segment.view' },
    schema: {
      tags, summary: 'Estimate an audience: one-IDs matched and how many have a WhatsApp number',
      description: `Give a \`rule\` (with \`subjectType\`, default user) or a \`segmentId\`. Answer: \`{oneIds, sendIds}\`. ${RULE_NOTE}`,
      body: z.strictObject({ rule: z.unknown().optional(), subjectType: z.string().min(1).max(64).optional(), segmentId: z.string().min(1).max(200).optional() }),
    },
  }, async (req) => s.estimate(req.actor, req.body));

  app.get('/api/v1/segments/:id', { config: { permission: 'segment.view' }, schema: { tags, summary: 'Get a segment', params: idParams } }, async (req) => s.get(req.actor, req.params.id));

  app.patch('/api/v1/segments/:id', {
    config: { permission: 'segment.edit' },
    schema: {
      tags, summary: 'Change a segment (name, rule, refresh, visibility, authorised roles)', params: idParams,
      body: z.strictObject({ name: z.string().trim().min(1).max(200).optional(), rule: z.unknown().optional(), refreshMode: z.enum(REFRESH_MODES).optional(), refreshTime: hhmm.optional(), visibleInList: z.boolean().optional(), authorisedRoleIds: roleIds.nullable().optional() }),
    },
  }, async (req) => s.update(req.actor, req.params.id, req.body));

  app.delete('/api/v1/segments/:id', {
    config: { permission: 'segment.edit' },
    schema: { tags, summary: 'Delete a segment no task or other segment uses', params: idParams, response: { 200: okSchema } },
  }, async (req) => {
    await s.delete(req.actor, req.params.id);
    return { ok: true as const };
  });

  app.post('/api/v1/segments/:id/refresh', {
    config: { permission: 'segment.edit' },
    schema: { tags, summary: 'Recompute a rule segment now (on failure the last members stay and the error is recorded)', params: idParams },
  }, async (req) => s.refresh(req.actor, req.params.id));

  if (!app.hasContentTypeParser('text/csv')) app.addContentTypeParser('text/csv', (_req, payload, done) => done(null, payload));
  app.post('/api/v1/segments/:id/csv', {
    config: { permission: 'segment.edit' },
    bodyLimit: 1024 ** 4,
    schema: {
      tags, summary: 'Upload the phone numbers of a csv or list segment (replaces its members)', params: idParams,
      description: `Send the file as \`multipart/form-data\` (one file field) or as the body with \`Content-Type: text/csv\`. ${CSV_COLUMNS_HELP} Numbers are normalised to E.164 (a leading 00 means +); a number without a profile is still a member. Duplicates are merged; every refused line is reported with its number and reason. Answer: \`{lines, accepted, duplicates, refused, errors: [{line, message}] (first 1,000)}\`.`,
    },
  }, async (req) => {
    await s.viewable(req.actor, req.params.id);
    let stream: Readable;
    if (req.isMultipart()) {
      const file = await req.file();
      if (!file) throw validationError([{ path: 'file', message: 'attach the CSV file' }]);
      stream = file.file;
    } else if (req.headers['content-type']?.startsWith('text/csv')) {
      stream = req.body as Readable;
    } else {
      throw validationError([{ path: '(headers).content-type', message: 'must be multipart/form-data or text/csv' }]);
    }
    return c.csvAudience.upload(req.actor, req.params.id, stream);
  });

  app.get('/api/v1/segments/:id/members', {
    config: { permission: 'segment.view' },
    schema: { tags, summary: "A segment's members, paged (realtime segments are evaluated now)", params: idParams, querystring: pageQuery },
  }, async (req) => s.members(req.actor, req.params.id, req.query));
}
