import { z } from 'zod';
import { mapSegmentCall, mapSegmentIdentify, mapSegmentTrack, segmentBatchSchema, type FieldError } from '@wareach/core';
import type { Container } from '../../app/container';
import { validationError } from '../../services/errors';
import type { App } from '../types';
import { idParams, okSchema, pageQuery } from './schemas';

const BATCH_NOTE = ' All-or-nothing: every item is validated first; one bad item refuses the whole batch (400, a detail per bad item) and nothing is written.';

export async function customerRoutes(app: App, c: Container) {
  const d = c.customerData;
  // Items are validated by the core parser (field paths per item); the route checks only the envelope.
  app.post('/api/v1/users/batch', {
    config: { permission: 'customer.write' },
    schema: {
      tags: ['customers'],
      summary: 'Upsert up to 1,000 profiles',
      description: 'Each item: `id` (one-ID) and/or `identities` ({"whatsapp": "+8613…", "email": …}), `subjectType`, `timezone` (IANA), `attributes` (string, number, boolean, ISO date-time with zone, string list; null removes), `tags` (typed values; null removes). WhatsApp numbers are normalised to E.164 (a leading 00 means +).' + BATCH_NOTE,
      body: z.strictObject({ users: z.array(z.unknown()) }),
    },
  }, async (req) => d.upsertProfiles(req.body.users));

  app.get('/api/v1/users', { config: { permission: 'customer.view' }, schema: { tags: ['customers'], summary: 'Search profiles by one-ID or WhatsApp number', querystring: pageQuery.extend({ q: z.string().max(200).optional() }) } }, async (req) =>
    d.search({ ...(req.query.q ? { text: req.query.q } : {}), limit: req.query.limit, offset: req.query.offset }));

  app.get('/api/v1/users/by-identity/:type/:value', { config: { permission: 'customer.view' }, schema: { tags: ['customers'], summary: 'Get a profile by identity (e.g. whatsapp/+8613800000000)', params: z.strictObject({ type: z.string().min(1), value: z.string().min(1) }) } }, async (req) => {
    let value = req.params.value;
    if (req.params.type === 'whatsapp') {
      const { normalisePhone } = await import('@wareach/core');
      const n = normalisePhone(value);
      if (!n.ok) throw validationError([{ path: 'params.value', message: `${value} ${n.error}` }]);
      value = n.value;
    }
    return d.getProfileByIdentity(req.params.type, value);
  });
  app.get('/api/v1/users/:id', { config: { permission: 'customer.view' }, schema: { tags: ['customers'], summary: 'Get a profile by one-ID', params: idParams } }, async (req) => d.getProfile(req.params.id));
  app.delete('/api/v1/users/:id', { config: { permission: 'customer.write' }, schema: { tags: ['customers'], summary: 'Erase a profile with its identities, attributes, tags and events', params: idParams } }, async (req) => ({ ok: true as const, ...(await d.eraseProfile(req.actor, req.params.id)) }));
  app.get('/api/v1/users/:id/events', {
    config: { permission: 'customer.view' },
    schema: { tags: ['customers'], summary: "A profile's event timeline, newest first", params: idParams, querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100), before: z.iso.datetime({ offset: true }).optional(), name: z.string().optional() }) },
  }, async (req) => {
    await d.getProfile(req.params.id);
    return d.timeline(req.params.id, { limit: req.query.limit, ...(req.query.before ? { before: Date.parse(req.query.before) } : {}), ...(req.query.name ? { name: req.query.name } : {}) });
  });

  app.post('/api/v1/events/batch', {
    config: { permission: 'customer.write' },
    schema: {
      tags: ['customers'],
      summary: 'Ingest up to 1,000 events',
      description: 'Each item: `userId` (one-ID) or `identity` {type, value}; `name`; `time` (ISO 8601, default now); `properties`; optional `messageId` — an event whose messageId was already ingested is counted in `duplicates` and not written again (a re-sent batch does not count twice). Two items of one batch with the same messageId are refused.' + BATCH_NOTE,
      body: z.strictObject({ events: z.array(z.unknown()) }),
    },
  }, async (req) => d.ingestEvents(req.body.events));

  app.get('/api/v1/catalogue', { config: { permission: 'customer.view' }, schema: { tags: ['customers'], summary: 'Event names with property names and types, attribute names and types, tag names and types' } }, async () => d.catalogue());

  // Segment HTTP Tracking API compatibility: same paths and shapes, so a Segment or RudderStack pipeline
  // can point its destination at wareach.
  const run = async (mapped: ReturnType<typeof mapSegmentCall>[]) => {
    const errors: FieldError[] = mapped.flatMap((m) => (m.ok ? [] : m.error));
    if (errors.length) throw validationError(errors, `${errors.length} problem(s); nothing was written`);
    const values = mapped.flatMap((m) => (m.ok ? [m.value] : []));
    const profiles = values.flatMap((v) => (v.kind === 'profile' ? [v.profile] : []));
    const events = values.flatMap((v) => (v.kind === 'event' ? [v.event] : []));
    const ignored = values.filter((v) => v.kind === 'ignored').length;
    // Parse both kinds before writing either, so a bad event does not leave profiles half-written.
    const pp = profiles.length ? d.parseProfiles(profiles, 'batch') : [];
    const ee = events.length ? d.parseEvents(events, 'batch', c.clock.now()) : [];
    if (pp.length) await d.writeProfiles(pp, 'batch');
    const r = ee.length ? await d.writeEvents(ee) : { accepted: 0, duplicates: 0 };
    return { success: true as const, profiles: pp.length, events: r.accepted, duplicates: r.duplicates, ignored };
  };
  const segmentSchema = { tags: ['segment-compatible'], body: z.record(z.string(), z.unknown()) };
  app.post('/v1/identify', { config: { permission: 'customer.write' }, schema: { ...segmentSchema, summary: 'Segment identify: userId/anonymousId + traits (phone → WhatsApp identity, email, timezone, the rest attributes)' } }, async (req) => run([mapSegmentIdentify(req.body)]));
  app.post('/v1/track', { config: { permission: 'customer.write' }, schema: { ...segmentSchema, summary: 'Segment track: userId/anonymousId, event, properties, timestamp, messageId' } }, async (req) => run([mapSegmentTrack(req.body)]));
  app.post('/v1/batch', { config: { permission: 'customer.write' }, schema: { ...segmentSchema, summary: 'Segment batch of identify/track/page/screen (group and alias are accepted and ignored)' } }, async (req) => {
    const p = segmentBatchSchema.safeParse(req.body);
    if (!p.success) throw validationError(p.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })));
    return run(p.data.batch.map((item, i) => mapSegmentCall(item, `batch.${i}.`)));
  });

  // NDJSON imports: streamed line by line; answered with a per-line summary.
  app.addContentTypeParser('application/x-ndjson', (_req, payload, done) => done(null, payload));
  const importSchema = (what: string) => ({
    tags: ['customers'],
    summary: `Import ${what} as NDJSON (one JSON object a line, streamed)`,
    description: `Send \`Content-Type: application/x-ndjson\`. Each line is one ${what === 'profiles' ? 'profile (as in /api/v1/users/batch)' : 'event (as in /api/v1/events/batch)'}. Lines stand alone: bad lines are refused with their line number and reason, the others are written. Answer: {lines, accepted, duplicates, refused, errors: [{line, path, message}] (first 1,000)}.`,
  });
  app.post('/api/v1/import/events', { config: { permission: 'customer.write' }, bodyLimit: 1024 ** 4, schema: importSchema('events') }, async (req) => {
    if (!req.headers['content-type']?.startsWith('application/x-ndjson')) throw validationError([{ path: '(headers).content-type', message: 'must be application/x-ndjson' }]);
    const s = await c.bulkImport.importEvents(req.body as NodeJS.ReadableStream as import('node:stream').Readable);
    await c.audit.record(req.actor, { action: 'import.events', entityType: 'import', entityId: null, details: { lines: s.lines, accepted: s.accepted, refused: s.refused } });
    return s;
  });
  app.post('/api/v1/import/profiles', { config: { permission: 'customer.write' }, bodyLimit: 1024 ** 4, schema: importSchema('profiles') }, async (req) => {
    if (!req.headers['content-type']?.startsWith('application/x-ndjson')) throw validationError([{ path: '(headers).content-type', message: 'must be application/x-ndjson' }]);
    const s = await c.bulkImport.importProfiles(req.body as import('node:stream').Readable);
    await c.audit.record(req.actor, { action: 'import.profiles', entityType: 'import', entityId: null, details: { lines: s.lines, accepted: s.accepted, refused: s.refused } });
    return s;
  });
  void okSchema;
}
