import { normalisePhone } from '@wareach/core';
import type { CustomerDataService } from './customer-data';
import type { Clock } from './ports';

/** A small seeded PRNG (mulberry32): demo data is the same on every fresh install. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MARKETS = [
  { cc: '+86', prefix: '138', digits: 8, tz: 'Asia/Shanghai', cities: ['Shanghai', 'Beijing', 'Shenzhen', 'Hangzhou'], lang: 'zh_CN' },
  { cc: '+55', prefix: '119', digits: 8, tz: 'America/Sao_Paulo', cities: ['São Paulo', 'Campinas'], lang: 'pt_BR' },
  { cc: '+62', prefix: '812', digits: 8, tz: 'Asia/Jakarta', cities: ['Jakarta', 'Surabaya', 'Bandung'], lang: 'id' },
  { cc: '+91', prefix: '98', digits: 8, tz: 'Asia/Kolkata', cities: ['Mumbai', 'Delhi', 'Bengaluru'], lang: 'en' },
  { cc: '+44', prefix: '7911', digits: 6, tz: 'Europe/London', cities: ['London', 'Manchester'], lang: 'en' },
  { cc: '+1', prefix: '2125', digits: 6, tz: 'America/New_York', cities: ['New York'], lang: 'en' },
];
const INTERESTS = ['shoes', 'phones', 'beauty', 'sports', 'books', 'home', 'games'];
const SKUS = ['SKU-100', 'SKU-200', 'SKU-300', 'SKU-400', 'SKU-500'];
const PAGES = ['/home', '/sale', '/cart', '/product', '/checkout'];

/**
 * Fills an empty database with demo customers: profiles with WhatsApp numbers, attributes, tags and
 * time zones, and two months of behaviour events (app opens, page views, add-to-cart, purchases).
 */
export async function seedDemoData(data: CustomerDataService, clock: Clock, opts: { profiles?: number; seed?: number } = {}) {
  const n = opts.profiles ?? 3000;
  const rnd = prng(opts.seed ?? 20261125);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const now = clock.now();
  const DAY = 86_400_000;
  const profiles: Record<string, unknown>[] = [];
  const events: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const m = MARKETS[i % MARKETS.length]!;
    let phone: string | undefined;
    for (let tries = 0; tries < 5 && !phone; tries++) {
      // Injective in i (the multiplier is coprime with 10^digits): no two demo profiles share a number.
      const body = String((i * 104729 + tries * 7 + 1234) % 10 ** m.digits).padStart(m.digits, '0');
      const r = normalisePhone(`${m.cc}${m.prefix}${body}`);
      if (r.ok) phone = r.value;
    }
    const id = `demo-${String(i + 1).padStart(5, '0')}`;
    const level = 1 + Math.floor(rnd() * 5);
    const signup = new Date(now - Math.floor(rnd() * 400) * DAY).toISOString();
    profiles.push({
      id,
      identities: { ...(phone && i % 25 !== 0 ? { whatsapp: phone } : {}), email: `${id}@example.com` },
      timezone: m.tz,
      attributes: {
        name: `Customer ${i + 1}`,
        city: pick(m.cities),
        age: 18 + Math.floor(rnd() * 50),
        vip: rnd() < 0.15,
        language: m.lang,
        signup_at: signup,
        interests: [pick(INTERESTS), pick(INTERESTS)].filter((v, k, a) => a.indexOf(v) === k),
      },
      tags: { level, member_tier: level >= 4 ? 'gold' : level >= 2 ? 'silver' : 'basic', churn_risk: rnd() < 0.2 },
    });
    const activity = Math.floor(rnd() * 40);
    for (let e = 0; e < activity; e++) {
      const at = now - Math.floor(rnd() * 60 * DAY);
      const r = rnd();
      const name = r < 0.4 ? 'app_open' : r < 0.75 ? 'view_page' : r < 0.9 ? 'add_to_cart' : 'purchase';
      const properties: Record<string, unknown> =
        name === 'view_page' ? { page: pick(PAGES) } :
        name === 'add_to_cart' ? { sku: pick(SKUS), quantity: 1 + Math.floor(rnd() * 3) } :
        name === 'purchase' ? { sku: pick(SKUS), amount: Math.round(rnd() * 50000) / 100, currency: 'USD' } :
        { platform: rnd() < 0.6 ? 'android' : 'ios' };
      events.push({ userId: id, name, time: new Date(at).toISOString(), properties, messageId: `demo-${i}-${e}` });
    }
  }
  for (let i = 0; i < profiles.length; i += 1000) {
    const slice = profiles.slice(i, i + 1000);
    await data.writeProfiles(data.parseProfiles(slice, 'demo'), 'demo');
  }
  let written = 0;
  for (let i = 0; i < events.length; i += 1000) {
    const r = await data.writeEvents(data.parseEvents(events.slice(i, i + 1000), 'demo', now));
    written += r.accepted;
  }
  return { profiles: profiles.length, events: written };
}
