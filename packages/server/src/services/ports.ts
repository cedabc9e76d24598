/** Small ports every service may need. Adapters and tests supply them; nothing reads the wall clock directly. */
export interface Clock {
  now(): number; // epoch ms, UTC
}

export interface IdSource {
  /** A new unique, roughly time-ordered id. */
  next(): string;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  set(t: number | Date | string): void {
    this.t = typeof t === 'number' ? t : new Date(t).getTime();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Actor {
  type: 'member' | 'api_key' | 'system';
  id: string | null;
  roleId: string | null;
  permissions: ReadonlySet<string>;
}

export const systemActor: Actor = { type: 'system', id: null, roleId: null, permissions: new Set() };
