import type { AudienceEvent, AudienceUser, EvaluationContext, ProfileValue } from './evaluate-rule';
import { seededRandom } from './seeded-random';

/**
 * Deterministic profiles and events for property tests of audience rules: the SQL compiler's tests load
 * a fixture into SQLite or PostgreSQL, evaluate random rules (random-rule.ts) both there and with
 * `evaluateRule`, and compare. The data is deliberately awkward where implementations tend to differ:
 * values missing or null, a few values of the wrong type (an age stored as a string, a duration as a
 * string), case variants ('Shanghai' / 'shanghai', 'ios' / 'iOS'), LIKE wildcards in values
 * ('Kuala_Lumpur', 'SKU_3'), non-ASCII, empty string lists, profiles without WhatsApp, profiles without
 * events, and times on a whole-hour grid so that rule boundaries often fall exactly on an event.
 */
export const AUDIENCE_FIXTURE_VOCABULARY = {
  attributes: { city: 'string', age: 'number', vip: 'boolean', signup: 'datetime', interests: 'string_list' },
  tags: { level: 'number', persona: 'string', churn_risk: 'boolean', last_campaign_at: 'datetime' },
  cities: ['Shanghai', 'shanghai', 'Shenzhen', 'São Paulo', 'Jakarta', 'Kuala_Lumpur', 'New York', '上海'],
  interests: ['sports', 'music', 'travel', 'food', 'tech'],
  personas: ['bargain_hunter', 'loyal', 'new', 'dormant'],
  events: {
    purchase: { amount: 'number', sku: 'string', currency: 'string' },
    view_page: { page: 'string', duration: 'number' },
    app_open: { platform: 'string' },
  },
  amounts: [9.9, 19.9, 49, 99, 199.5, 500],
  skus: ['SKU-1', 'SKU-2', 'sku-1', 'SKU_3'],
  currencies: ['CNY', 'USD'],
  pages: ['/home', '/product/1', '/product/2', '/cart', '/checkout'],
  platforms: ['ios', 'android', 'web', 'iOS'],
  segments: ['seg_a', 'seg_b', 'seg_c'],
  identityTypes: ['whatsapp', 'email', 'external_id'],
  timezones: ['Asia/Shanghai', 'Asia/Jakarta', 'America/Sao_Paulo', 'Europe/London'],
} as const;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Default `now` of fixtures and random rules: noon in Shanghai, on the hour. */
export const AUDIENCE_FIXTURE_NOW = Date.parse('2025-06-01T04:00:00.000Z');
export const AUDIENCE_FIXTURE_SPAN_DAYS = 60;
/** Signup dates go back this far (day-aligned). */
export const AUDIENCE_FIXTURE_SIGNUP_DAYS = 730;

export interface FixtureEvent extends AudienceEvent {
  oneId: string;
}

export interface AudienceFixture {
  now: number;
  /** Events fall in `[spanStart, now]` (inclusive: some land exactly on `now`). */
  spanStart: number;
  users: AudienceUser[];
  /** Every event, by time then one-ID. */
  events: FixtureEvent[];
  eventsByUser: ReadonlyMap<string, AudienceEvent[]>;
  segments: { segmentId: string; members: string[] }[];
  membershipByUser: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface AudienceFixtureOptions {
  users: number;
  /** Mean events per profile; one in ten profiles has none, the others 0 to 2× this many. */
  eventsPerUser: number;
  now?: number;
  spanDays?: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function generateAudienceFixture(seed: number, options: AudienceFixtureOptions): AudienceFixture {
  const r = seededRandom(seed);
  const v = AUDIENCE_FIXTURE_VOCABULARY;
  const now = options.now ?? AUDIENCE_FIXTURE_NOW;
  const spanDays = options.spanDays ?? AUDIENCE_FIXTURE_SPAN_DAYS;
  const spanHours = spanDays * 24;
  const spanStart = now - spanHours * HOUR_MS;
  const users: AudienceUser[] = [];
  const events: FixtureEvent[] = [];
  const eventsByUser = new Map<string, AudienceEvent[]>();
  const segments = v.segments.map((segmentId) => ({ segmentId, members: [] as string[] }));
  const shares: Record<string, number> = { seg_a: 0.3, seg_b: 0.5, seg_c: 0.05 };
  const membershipByUser = new Map<string, Set<string>>();

  // Absent in `absent`, null in `nul`, else the value.
  const maybe = (absent: number, nul: number, make: () => ProfileValue): ProfileValue | 'absent' => {
    const x = r.next();
    if (x < absent) return 'absent';
    if (x < absent + nul) return null;
    return make();
  };
  const put = (target: Record<string, ProfileValue>, key: string, value: ProfileValue | 'absent') => {
    if (value !== 'absent') target[key] = value;
  };

  for (let i = 1; i <= options.users; i++) {
    const oneId = `u${String(i).padStart(5, '0')}`;
    const attributes: Record<string, ProfileValue> = {};
    put(attributes, 'city', maybe(0.1, 0.03, () => r.pick(v.cities)));
    put(attributes, 'age', maybe(0.1, 0.02, () => (r.chance(0.03) ? String(r.int(16, 75)) : r.int(16, 75))));
    put(attributes, 'vip', maybe(0.15, 0, () => r.chance(0.2)));
    put(attributes, 'signup', maybe(0.1, 0, () => iso(now - r.int(0, AUDIENCE_FIXTURE_SIGNUP_DAYS) * DAY_MS - (now % DAY_MS))));
    put(attributes, 'interests', maybe(0.1, 0, () => r.subset(v.interests, 0, 3)));
    const tags: Record<string, ProfileValue> = {};
    put(tags, 'level', maybe(0.2, 0, () => r.int(1, 5)));
    put(tags, 'persona', maybe(0.3, 0, () => r.pick(v.personas)));
    put(tags, 'churn_risk', maybe(0.4, 0, () => r.chance(0.3)));
    put(tags, 'last_campaign_at', maybe(0.5, 0, () => iso(spanStart + r.int(0, spanHours) * HOUR_MS)));
    const identities: { type: string; value: string }[] = [];
    if (r.chance(0.85)) identities.push({ type: 'whatsapp', value: `+86138${String(i).padStart(8, '0')}` });
    if (r.chance(0.5)) identities.push({ type: 'email', value: `${oneId}@example.com` });
    if (r.chance(0.3)) identities.push({ type: 'external_id', value: `ext-${oneId}` });
    const timezone = r.chance(0.2) ? null : r.pick(v.timezones);
    users.push({ oneId, attributes, tags, identities, timezone });

    const member = new Set<string>();
    for (const s of segments) {
      if (r.chance(shares[s.segmentId] ?? 0)) { s.members.push(oneId); member.add(s.segmentId); }
    }
    membershipByUser.set(oneId, member);

    const own: AudienceEvent[] = [];
    const count = r.chance(0.1) ? 0 : r.int(0, 2 * options.eventsPerUser);
    for (let k = 0; k < count; k++) {
      const at = spanStart + r.int(0, spanHours) * HOUR_MS;
      const x = r.next();
      const e: AudienceEvent = x < 0.5
        ? { name: 'app_open', at, properties: { platform: r.pick(v.platforms) } }
        : x < 0.85
          ? { name: 'view_page', at, properties: viewPage() }
          : { name: 'purchase', at, properties: purchase() };
      own.push(e);
      events.push({ oneId, ...e });
    }
    own.sort((a, b) => a.at - b.at);
    eventsByUser.set(oneId, own);
  }
  events.sort((a, b) => a.at - b.at || (a.oneId < b.oneId ? -1 : a.oneId > b.oneId ? 1 : 0));
  return { now, spanStart, users, events, eventsByUser, segments, membershipByUser };

  function viewPage(): Record<string, unknown> {
    const p: Record<string, unknown> = { page: r.pick(v.pages) };
    if (r.chance(0.9)) p.duration = r.chance(0.03) ? String(r.int(1, 300)) : r.int(1, 300);
    return p;
  }
  function purchase(): Record<string, unknown> {
    const p: Record<string, unknown> = { currency: r.pick(v.currencies) };
    const amount = maybe(0.05, 0.03, () => r.pick(v.amounts));
    if (amount !== 'absent') p.amount = amount;
    if (r.chance(0.9)) p.sku = r.pick(v.skus);
    return p;
  }
}

/** The evaluation context of one fixture profile at the fixture's `now`. */
export function fixtureContext(fixture: AudienceFixture, oneId: string, now = fixture.now): EvaluationContext {
  return {
    now,
    events: fixture.eventsByUser.get(oneId) ?? [],
    segmentMembership: fixture.membershipByUser.get(oneId) ?? new Set(),
  };
}
