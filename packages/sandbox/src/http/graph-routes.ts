/**
 * The Graph API surface under `/sandbox/graph/{version}/...`, with Meta's paths, so a client only changes its
 * base URL. Handlers stay thin: parse the HTTP request, call the sandbox, write its answer. Errors that Fastify
 * raises itself (bad JSON, unknown paths) are answered in Meta's error shape too.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GraphReply } from '../core/sandbox-context';
import { graphErrorBody, type MetaFailure } from '../graph/graph-error';
import { MAX_UPLOAD_BYTES } from '../media/media-store';
import type { Sandbox } from '../sandbox';

type Params = { version: string; id: string };
type Query = Record<string, string | undefined>;

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const m = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header);
    return m ? m[1]!.trim() : undefined;
  }
  const q = request.query as Query;
  return q['access_token'];
}

function send(reply: FastifyReply, r: GraphReply): FastifyReply {
  reply.code(r.status);
  if (typeof r.body === 'string') reply.header('content-type', 'application/json; charset=utf-8');
  return reply.send(r.body);
}

function versionNumber(version: string): number | undefined {
  const m = /^v(\d+)(?:\.\d+)?$/.exec(version);
  return m ? Number(m[1]) : undefined;
}

function fbtrace(): string {
  return 'A' + Math.random().toString(36).slice(2, 12) + Math.random().toString(36).slice(2, 12);
}

function metaError(reply: FastifyReply, status: number, failure: MetaFailure): FastifyReply {
  return reply.code(status).send(graphErrorBody(failure, fbtrace()));
}

function selfUrl(request: FastifyRequest): URL {
  return new URL(`${request.protocol}://${request.host}${request.url}`);
}

export async function graphRoutes(app: FastifyInstance, opts: { sandbox: Sandbox }): Promise<void> {
  const sandbox = opts.sandbox;
  await app.register(multipart, { throwFileSizeLimit: false, limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10 } });

  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? 400 : 500;
    return metaError(reply, status, { code: status === 400 ? 100 : 1, details: error.message });
  });
  app.setNotFoundHandler((request, reply) =>
    metaError(reply, 400, { code: 2500, details: `Unknown path components: ${request.url.split('?')[0]}`, message: `Unknown path components: ${request.url.split('?')[0]}` }),
  );
  // Graph clients send small JSON bodies; JSON.parse is enough because handlers only read fields and never
  // merge a body into another object (the prototype-poisoning guard of Fastify's parser costs ~5% here).
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, body === '' ? undefined : JSON.parse(body as string));
    } catch (e) {
      done(Object.assign(e instanceof Error ? e : new Error(String(e)), { statusCode: 400 }), undefined);
    }
  });
  // Checked in each handler rather than in an async hook: one promise less per request at benchmark rates.
  const badVersion = (reply: FastifyReply, version: string): FastifyReply | undefined =>
    versionNumber(version) === undefined
      ? metaError(reply, 400, { code: 2500, details: `Unknown Graph API version ${version}`, message: `Unknown path components: /${version}` })
      : undefined;

  app.post<{ Params: Params }>('/:version/:id/messages', (request, reply) => {
    const version = versionNumber(request.params.version);
    if (version === undefined) return badVersion(reply, request.params.version);
    const result = sandbox.sendMessage({ phoneNumberId: request.params.id, graphVersion: version, token: bearerToken(request), body: request.body });
    return 'then' in result ? result.then((r) => send(reply, r)) : send(reply, result);
  });

  app.post<{ Params: Params }>('/:version/:id/media', async (request, reply) => {
    if (badVersion(reply, request.params.version)) return reply;
    const fields: Record<string, string> = {};
    let file: { data: Buffer; truncated: boolean; mimetype: string } | undefined;
    if (request.isMultipart()) {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          const chunks: Buffer[] = [];
          for await (const chunk of part.file) chunks.push(chunk as Buffer);
          file = { data: Buffer.concat(chunks), truncated: part.file.truncated, mimetype: part.mimetype };
        } else if (typeof part.value === 'string') {
          fields[part.fieldname] = part.value;
        }
      }
    }
    return send(reply, sandbox.uploadMedia({
      phoneNumberId: request.params.id,
      token: bearerToken(request),
      messagingProduct: fields['messaging_product'],
      mimeType: fields['type'] ?? file?.mimetype,
      file: file ? { data: file.data, truncated: file.truncated } : undefined,
    }));
  });

  app.get<{ Params: Params; Querystring: Query }>('/:version/:id/message_templates', async (request, reply) =>
    badVersion(reply, request.params.version) ??
    send(reply, sandbox.listTemplates({ wabaId: request.params.id, token: bearerToken(request), query: request.query, selfUrl: selfUrl(request) })),
  );
  app.post<{ Params: Params }>('/:version/:id/message_templates', async (request, reply) =>
    badVersion(reply, request.params.version) ??
    send(reply, sandbox.createTemplate({ wabaId: request.params.id, token: bearerToken(request), body: request.body })),
  );
  app.delete<{ Params: Params; Querystring: Query }>('/:version/:id/message_templates', async (request, reply) =>
    badVersion(reply, request.params.version) ??
    send(reply, sandbox.deleteTemplates({
      wabaId: request.params.id,
      token: bearerToken(request),
      name: request.query['name'],
      hsmId: request.query['hsm_id'],
    })),
  );
  app.get<{ Params: Params; Querystring: Query }>('/:version/:id/phone_numbers', async (request, reply) =>
    badVersion(reply, request.params.version) ??
    send(reply, sandbox.listPhoneNumbers({ wabaId: request.params.id, token: bearerToken(request), fields: request.query['fields'] })),
  );
  app.get<{ Params: Params; Querystring: Query }>('/:version/:id', async (request, reply) =>
    badVersion(reply, request.params.version) ??
    send(reply, sandbox.getObject({
      id: request.params.id,
      token: bearerToken(request),
      fields: request.query['fields'],
      baseUrl: `${request.protocol}://${request.host}`,
    })),
  );
  app.delete<{ Params: Params }>('/:version/:id', async (request, reply) =>
    badVersion(reply, request.params.version) ??
    send(reply, sandbox.deleteObject({ id: request.params.id, token: bearerToken(request) })),
  );
}

/** `GET /sandbox/media/{id}?ext=…`: the short-lived URL `GET /{media-id}` hands out. */
export async function mediaDownloadRoute(app: FastifyInstance, opts: { sandbox: Sandbox }): Promise<void> {
  app.get<{ Params: { id: string }; Querystring: Query }>('/sandbox/media/:id', async (request, reply) => {
    const r = opts.sandbox.downloadMedia({ id: request.params.id, token: bearerToken(request), ext: request.query['ext'] });
    if (r.mimeType) reply.header('content-type', r.mimeType);
    return reply.code(r.status).send(r.body);
  });
}
