import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, setCsrfToken, setUnauthenticatedHandler } from '../api/client';
import type { LoginResult, Member, ProjectSettings } from '../api/types';

const DEFAULT_TIMEZONE = 'Asia/Shanghai';

interface Session {
  /** undefined while the first `/auth/me` is in flight. */
  member: Member | null | undefined;
  permissions: ReadonlySet<string>;
  settings: ProjectSettings | null;
  timezone: string;
  can(permission: string): boolean;
  login(email: string, password: string): Promise<void>;
  logout(): Promise<void>;
  reloadSettings(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

/** `initial` starts from a known session without asking the server (component tests). */
export function SessionProvider({ children, initial }: { children: ReactNode; initial?: { member: Member; permissions: string[]; settings: ProjectSettings | null } }) {
  const [member, setMember] = useState<Member | null | undefined>(initial?.member);
  const [permissions, setPermissions] = useState<ReadonlySet<string>>(new Set(initial?.permissions ?? []));
  const [settings, setSettings] = useState<ProjectSettings | null>(initial?.settings ?? null);

  const reloadSettings = useCallback(async () => {
    try {
      setSettings(await api.get<ProjectSettings>('/api/v1/settings'));
    } catch {
      // Members without channel.view cannot read settings; the default timezone is shown then.
      setSettings(null);
    }
  }, []);

  const accept = useCallback(
    async (r: LoginResult) => {
      setCsrfToken(r.csrfToken);
      setPermissions(new Set(r.permissions));
      setMember(r.member);
      await reloadSettings();
    },
    [reloadSettings],
  );

  useEffect(() => {
    if (initial) return;
    setUnauthenticatedHandler(() => {
      setCsrfToken(undefined);
      setMember(null);
    });
    api
      .get<LoginResult>('/api/v1/auth/me')
      .then(accept)
      .catch(() => setMember(null));
    return () => setUnauthenticatedHandler(undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [accept]);

  const login = useCallback(
    async (email: string, password: string) => {
      await accept(await api.post<LoginResult>('/api/v1/auth/login', { email, password }));
    },
    [accept],
  );

  const logout = useCallback(async () => {
    try {
      await api.post('/api/v1/auth/logout');
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
    setCsrfToken(undefined);
    setPermissions(new Set());
    setMember(null);
  }, []);

  const value = useMemo<Session>(
    () => ({
      member,
      permissions,
      settings,
      timezone: settings?.timezone ?? DEFAULT_TIMEZONE,
      can: (p) => permissions.has(p),
      login,
      logout,
      reloadSettings,
    }),
    [member, permissions, settings, login, logout, reloadSettings],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
