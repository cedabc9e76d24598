import { z } from 'zod';
import { PERMISSIONS, PERMISSION_DESCRIPTIONS } from '@wareach/core';
import type { Container } from '../../app/container';
import { SESSION_TTL_MS } from '../../services/auth';
import { SESSION_COOKIE } from '../authenticate';
import type { App } from '../types';
import { idParams, okSchema } from './schemas';

const memberOut = z.object({ id: z.string(), email: z.string(), name: z.string(), roleId: z.string(), disabled: z.boolean(), createdAt: z.string() });
const roleOut = z.object({ id: z.string(), name: z.string(), builtin: z.boolean(), permissions: z.array(z.string()) });
const toRole = (r: { id: string; name: string; builtin: number; permissions: string }) => ({ id: r.id, name: r.name, builtin: r.builtin === 1, permissions: JSON.parse(r.permissions) as string[] });

export async function authRoutes(app: App, c: Container) {
  app.post('/api/v1/auth/login', {
    config: { public: true, rateLimit: { max: 10, timeWindow: 60_000, keyGenerator: (req) => req.ip } },
    schema: { tags: ['auth'], summary: 'Log in to the console (sets an httpOnly session cookie; rate limited to 10 a minute)', body: z.strictObject({ email: z.string().min(1).max(320), password: z.string().min(1).max(200) }) },
  }, async (req, reply) => {
    const r = await c.auth.login(req.body.email, req.body.password);
    reply.setCookie(SESSION_COOKIE, r.sessionToken, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: SESSION_TTL_MS / 1000, secure: req.protocol === 'https' });
    const permissions = [...(await c.auth.permissionsOf(r.member.roleId))];
    return { member: r.member, csrfToken: r.csrfToken, permissions };
  });
  app.post('/api/v1/auth/logout', { config: { public: true }, schema: { tags: ['auth'], summary: 'Log out' } }, async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await c.auth.logout(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true as const };
  });
  app.get('/api/v1/auth/me', { config: { public: true }, schema: { tags: ['auth'], summary: 'The logged-in member, permissions and CSRF token' } }, async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    const s = token ? await c.auth.actorFromSession(token) : undefined;
    if (!s || !s.actor.id) return reply.status(401).send({ error: { code: 'unauthenticated', message: 'not logged in', details: [] } });
    const m = await c.accessStore.members.get(s.actor.id);
    return { member: c.auth.publicMember(m!), csrfToken: s.csrfToken, permissions: [...s.actor.permissions] };
  });

  app.get('/api/v1/permissions', { config: { permission: 'member.manage' }, schema: { tags: ['members'], summary: 'Every permission with its description' } }, async () =>
    PERMISSIONS.map((p) => ({ name: p, description: PERMISSION_DESCRIPTIONS[p] })));

  app.get('/api/v1/roles', { config: { permission: 'member.manage' }, schema: { tags: ['members'], summary: 'List roles', response: { 200: z.array(roleOut) } } }, async () => (await c.accessStore.roles.list()).map(toRole));
  const roleBody = z.strictObject({ name: z.string().trim().min(1).max(64), permissions: z.array(z.string()).max(64) });
  app.post('/api/v1/roles', { config: { permission: 'member.manage' }, schema: { tags: ['members'], summary: 'Create a custom role', body: roleBody, response: { 201: roleOut } } }, async (req, reply) =>
    reply.status(201).send(toRole(await c.auth.createRole(req.actor, req.body))));
  app.patch('/api/v1/roles/:id', { config: { permission: 'member.manage' }, schema: { tags: ['members'], summary: 'Change a custom role', params: idParams, body: roleBody.partial(), response: { 200: roleOut } } }, async (req) =>
    toRole(await c.auth.updateRole(req.actor, req.params.id, req.body)));
  app.delete('/api/v1/roles/:id', { config: { permission: 'member.manage' }, schema: { tags: ['members'], summary: 'Delete a custom role no one uses', params: idParams, response: { 200: okSchema } } }, async (req) => {
    await c.auth.deleteRole(req.actor, req.params.id);
    return { ok: true as const };
  });

  app.get('/api/v1/members', { config: { permission: 'member.manage' }, schema: { tags: ['members'], summary: 'List members', response: { 200: z.array(memberOut) } } }, async () =>
    (await c.accessStore.members.list()).map(c.auth.publicMember));
  app.post('/api/v1/members', {
    config: { permission: 'member.manage' },
    schema: { tags: ['members'], summary: 'Add a member', body: z.strictObject({ email: z.email(), name: z.string().trim().min(1).max(100), password: z.string().min(10, 'must be at least 10 characters').max(200), roleId: z.string().min(1) }), response: { 201: memberOut } },
  }, async (req, reply) => reply.status(201).send(await c.auth.createMember(req.actor, req.body)));
  app.patch('/api/v1/members/:id', {
    config: { permission: 'member.manage' },
    schema: { tags: ['members'], summary: 'Change a member (role, name, disabled, password)', params: idParams, body: z.strictObject({ name: z.string().trim().min(1).max(100).optional(), roleId: z.string().min(1).optional(), disabled: z.boolean().optional(), password: z.string().min(10).max(200).optional() }), response: { 200: memberOut } },
  }, async (req) => c.auth.updateMember(req.actor, req.params.id, req.body));

  const keyOut = z.object({ id: z.string(), name: z.string(), prefix: z.string(), roleId: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable(), revokedAt: z.string().nullable() });
  const iso = (n: number | null) => (n === null ? null : new Date(n).toISOString());
  app.get('/api/v1/api-keys', { config: { permission: 'member.manage' }, schema: { tags: ['members'], summary: 'List API keys (never their value)', response: { 200: z.array(keyOut) } } }, async () =>
    (await c.accessStore.apiKeys.list()).map((k) => ({ id: k.id, name: k.name, prefix: k.prefix, roleId: k.role_id, createdAt: new Date(k.created_at).toISOString(), lastUsedAt: iso(k.last_used_at), revokedAt: iso(k.revoked_at) })));
  app.post('/api/v1/api-keys', {
    config: { permission: 'member.manage' },
    schema: { tags: ['members'], summary: 'Create an API key tied to a role; the key is shown once', body: z.strictObject({ name: z.string().trim().min(1).max(100), roleId: z.string().min(1) }) },
  }, async (req, reply) => reply.status(201).send(await c.auth.createApiKey(req.actor, req.body)));
  app.delete('/api/v1/api-keys/:id', { config: { permission: 'member.manage' }, schema: { tags: ['members'], summary: 'Revoke an API key', params: idParams, response: { 200: okSchema } } }, async (req) => {
    await c.auth.revokeApiKey(req.actor, req.params.id);
    return { ok: true as const };
  });

  app.get('/api/v1/audit-log', {
    config: { permission: 'member.manage' },
    schema: { tags: ['members'], summary: 'The audit log, newest first', querystring: z.strictObject({ entityType: z.string().optional(), entityId: z.string().optional(), limit: z.coerce.number().int().min(1).max(500).default(100), beforeId: z.coerce.number().int().optional() }) },
  }, async (req) => c.audit.list(req.query));
}
