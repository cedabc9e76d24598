import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { BUILTIN_ROLES, isPermission, PERMISSIONS, type BuiltinRole } from '@wareach/core';
import type { AccessStore } from '../adapters/storage/access-store';
import type { AuditLog } from './audit';
import { AppError, conflict, forbidden, notFound, validationError } from './errors';
import type { Actor, Clock, IdSource } from './ports';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
export const SESSION_TTL_MS = 12 * 3600 * 1000;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return timingSafeEqual(expected, got);
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const token = (bytes = 32) => randomBytes(bytes).toString('base64url');

export function builtinRoleId(role: BuiltinRole): string {
  return `role_${role}`;
}

/** Members, roles, sessions and API keys. Passwords are scrypt-hashed; tokens and keys are stored as sha256. */
export function createAuthService(deps: { store: AccessStore; audit: AuditLog; clock: Clock; ids: IdSource }) {
  const { store, audit, clock, ids } = deps;

  async function permissionsOf(roleId: string): Promise<Set<string>> {
    const role = await store.roles.get(roleId);
    return new Set(role ? (JSON.parse(role.permissions) as string[]) : []);
  }

  function checkPermissions(perms: string[]): void {
    const bad = perms.map((p, i) => ({ p, i })).filter(({ p }) => !isPermission(p));
    if (bad.length) throw validationError(bad.map(({ p, i }) => ({ path: `permissions.${i}`, message: `unknown permission ${JSON.stringify(p)}; known: ${PERMISSIONS.join(', ')}` })));
  }

  const publicMember = (m: { id: string; email: string; name: string; role_id: string; disabled: number; created_at: number }) => ({
    id: m.id, email: m.email, name: m.name, roleId: m.role_id, disabled: m.disabled === 1, createdAt: new Date(m.created_at).toISOString(),
  });

  return {
    permissionsOf,
    publicMember,

    async ensureBuiltinRoles(): Promise<void> {
      const now = clock.now();
      for (const [name, perms] of Object.entries(BUILTIN_ROLES)) {
        const id = builtinRoleId(name as BuiltinRole);
        const existing = await store.roles.get(id);
        if (!existing) await store.roles.insert({ id, name, builtin: 1, permissions: JSON.stringify(perms), created_at: now, updated_at: now });
        else if (existing.permissions !== JSON.stringify(perms)) {
          // Built-in roles follow the code: a new permission reaches admins without a manual step.
          await store.db.updateTable('roles').set({ permissions: JSON.stringify(perms), updated_at: now }).where('id', '=', id).execute();
        }
      }
    },

    async createMember(actor: Actor, input: { email: string; name: string; password: string; roleId: string }) {
      const email = input.email.trim().toLowerCase();
      if (await store.members.byEmail(email)) throw conflict(`a member with email ${email} exists`, [{ path: 'email', message: 'is already used' }]);
      if (!(await store.roles.get(input.roleId))) throw validationError([{ path: 'roleId', message: `role ${input.roleId} does not exist` }]);
      const now = clock.now();
      const id = ids.next();
      await store.members.insert({ id, email, name: input.name, password_hash: await hashPassword(input.password), role_id: input.roleId, disabled: 0, created_at: now, updated_at: now });
      await audit.record(actor, { action: 'member.create', entityType: 'member', entityId: id, details: { email, roleId: input.roleId } });
      return publicMember((await store.members.get(id))!);
    },

    async updateMember(actor: Actor, id: string, patch: { name?: string; roleId?: string; disabled?: boolean; password?: string }) {
      const m = await store.members.get(id);
      if (!m) throw notFound('member', id);
      if (patch.roleId && !(await store.roles.get(patch.roleId))) throw validationError([{ path: 'roleId', message: `role ${patch.roleId} does not exist` }]);
      if (actor.type === 'member' && actor.id === id && (patch.disabled || (patch.roleId && patch.roleId !== m.role_id))) {
        throw forbidden('you cannot disable yourself or change your own role');
      }
      await store.members.update(id, {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.roleId !== undefined ? { role_id: patch.roleId } : {}),
        ...(patch.disabled !== undefined ? { disabled: patch.disabled ? 1 : 0 } : {}),
        ...(patch.password !== undefined ? { password_hash: await hashPassword(patch.password) } : {}),
        updated_at: clock.now(),
      });
      if (patch.disabled || patch.password || patch.roleId) await store.sessions.deleteForMember(id);
      await audit.record(actor, { action: 'member.update', entityType: 'member', entityId: id, details: { ...patch, password: patch.password ? '(changed)' : undefined } });
      return publicMember((await store.members.get(id))!);
    },

    async createRole(actor: Actor, input: { name: string; permissions: string[] }) {
      checkPermissions(input.permissions);
      if (await store.roles.byName(input.name)) throw conflict(`a role named ${input.name} exists`, [{ path: 'name', message: 'is already used' }]);
      const now = clock.now();
      const id = ids.next();
      await store.roles.insert({ id, name: input.name, builtin: 0, permissions: JSON.stringify([...new Set(input.permissions)]), created_at: now, updated_at: now });
      await audit.record(actor, { action: 'role.create', entityType: 'role', entityId: id, details: input });
      return (await store.roles.get(id))!;
    },

    async updateRole(actor: Actor, id: string, input: { name?: string; permissions?: string[] }) {
      const role = await store.roles.get(id);
      if (!role) throw notFound('role', id);
      if (role.builtin) throw forbidden('built-in roles cannot be changed; create a custom role');
      if (input.permissions) checkPermissions(input.permissions);
      await store.roles.update(id, { ...(input.name ? { name: input.name } : {}), ...(input.permissions ? { permissions: JSON.stringify([...new Set(input.permissions)]) } : {}), updated_at: clock.now() });
      await audit.record(actor, { action: 'role.update', entityType: 'role', entityId: id, details: input });
      return (await store.roles.get(id))!;
    },

    async deleteRole(actor: Actor, id: string) {
      const role = await store.roles.get(id);
      if (!role) throw notFound('role', id);
      if (role.builtin) throw forbidden('built-in roles cannot be deleted');
      if ((await store.roles.usage(id)) > 0) throw conflict('the role is still given to members or API keys');
      await store.roles.delete(id);
      await audit.record(actor, { action: 'role.delete', entityType: 'role', entityId: id });
    },

    async login(email: string, password: string) {
      const m = await store.members.byEmail(email.trim().toLowerCase());
      // Verify against a dummy hash when the member is unknown so timing does not reveal which emails exist.
      const ok = m ? await verifyPassword(password, m.password_hash) : (await verifyPassword(password, DUMMY_HASH), false);
      if (!m || !ok || m.disabled) throw new AppError('unauthenticated', 'email or password is wrong');
      const raw = token();
      const csrf = token(24);
      const now = clock.now();
      await store.sessions.insert({ id: sha256(raw), member_id: m.id, csrf_token: csrf, created_at: now, expires_at: now + SESSION_TTL_MS });
      await store.sessions.deleteExpired(now);
      await audit.record({ type: 'member', id: m.id, roleId: m.role_id, permissions: new Set() }, { action: 'member.login', entityType: 'member', entityId: m.id });
      return { sessionToken: raw, csrfToken: csrf, member: publicMember(m) };
    },

    async logout(sessionToken: string) {
      await store.sessions.delete(sha256(sessionToken));
    },

    /** Resolves a session cookie to an actor, or undefined when missing, expired or disabled. */
    async actorFromSession(sessionToken: string): Promise<{ actor: Actor; csrfToken: string } | undefined> {
      const s = await store.sessions.get(sha256(sessionToken));
      if (!s || s.expires_at <= clock.now()) return undefined;
      const m = await store.members.get(s.member_id);
      if (!m || m.disabled) return undefined;
      return { actor: { type: 'member', id: m.id, roleId: m.role_id, permissions: await permissionsOf(m.role_id) }, csrfToken: s.csrf_token };
    },

    async actorFromApiKey(key: string): Promise<Actor | undefined> {
      const k = await store.apiKeys.byHash(sha256(key));
      if (!k || k.revoked_at) return undefined;
      const now = clock.now();
      if (!k.last_used_at || now - k.last_used_at > 60_000) await store.apiKeys.touch(k.id, now);
      return { type: 'api_key', id: k.id, roleId: k.role_id, permissions: await permissionsOf(k.role_id) };
    },

    /** Creates an API key; the plain key is returned once and never stored. */
    async createApiKey(actor: Actor, input: { name: string; roleId: string }, plain?: string) {
      if (!(await store.roles.get(input.roleId))) throw validationError([{ path: 'roleId', message: `role ${input.roleId} does not exist` }]);
      const key = plain ?? `wr_${token(30)}`;
      const id = ids.next();
      await store.apiKeys.insert({ id, name: input.name, key_hash: sha256(key), prefix: key.slice(0, 7), role_id: input.roleId, created_by: actor.id, created_at: clock.now(), last_used_at: null, revoked_at: null });
      await audit.record(actor, { action: 'api_key.create', entityType: 'api_key', entityId: id, details: { name: input.name, roleId: input.roleId } });
      return { id, key, prefix: key.slice(0, 7), name: input.name, roleId: input.roleId };
    },

    async revokeApiKey(actor: Actor, id: string) {
      const r = await store.apiKeys.revoke(id, clock.now());
      if (Number(r.numUpdatedRows) === 0) throw notFound('API key', id);
      await audit.record(actor, { action: 'api_key.revoke', entityType: 'api_key', entityId: id });
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;

// A valid hash of a random password, so unknown emails cost the same scrypt work as known ones.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
