/**
 * Channel and template shapes, read tolerantly: the channel API is young, so the console accepts the
 * few spellings it might use and shows what it finds.
 */
import { api, asPage } from './client';

export interface PhoneNumber {
  id: string;
  phoneNumberId: string;
  display: string;
  throughput?: string | number | undefined;
  /** Meta's messaging limit tier, e.g. TIER_250. */
  tier?: string | undefined;
}

/**
 * The tiers the server accepts (MESSAGING_TIERS in packages/server/src/services/channels-schema.ts;
 * TIER_1K is the retired tier some accounts still report). A number saved without one gets TIER_250.
 */
export const MESSAGING_TIERS = ['TIER_250', 'TIER_1K', 'TIER_2K', 'TIER_10K', 'TIER_100K', 'TIER_UNLIMITED'] as const;
export type MessagingTier = (typeof MESSAGING_TIERS)[number];
export const DEFAULT_TIER: MessagingTier = 'TIER_250';

export interface Channel {
  id: string;
  name: string;
  wabaId: string;
  graphBaseUrl?: string | undefined;
  graphVersion?: string | undefined;
  phoneNumbers: PhoneNumber[];
  raw: Record<string, unknown>;
}

type Raw = Record<string, unknown>;
const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

export function toChannel(r: Raw): Channel {
  const numbers = (r.phoneNumbers ?? r.numbers ?? r.phone_numbers ?? []) as Raw[];
  return {
    id: str(r.id),
    name: str(r.name ?? r.displayName ?? r.wabaId),
    wabaId: str(r.wabaId ?? r.waba_id),
    graphBaseUrl: r.baseUrl ?? r.graphBaseUrl ? str(r.baseUrl ?? r.graphBaseUrl) : undefined,
    graphVersion: r.apiVersion ?? r.graphVersion ? str(r.apiVersion ?? r.graphVersion) : undefined,
    phoneNumbers: numbers.map((n) => ({
      id: str(n.id ?? n.phoneNumberId),
      phoneNumberId: str(n.phoneNumberId ?? n.phone_number_id ?? n.id),
      display: str(n.displayPhoneNumber ?? n.displayNumber ?? n.display_phone_number ?? n.display ?? n.phoneNumberId),
      throughput: (n.throughput ?? n.throughputTier ?? n.mps) as string | number | undefined,
      tier: n.tier ?? n.messagingTier ?? n.messaging_limit_tier ? str(n.tier ?? n.messagingTier ?? n.messaging_limit_tier) : undefined,
    })),
    raw: r,
  };
}

export async function listChannels(): Promise<Channel[]> {
  return asPage<Raw>(await api.get<unknown>('/api/v1/channels/whatsapp')).items.map(toChannel);
}

export interface TemplateRow {
  id: string;
  channelId?: string;
  name: string;
  language: string;
  category: string;
  status: string;
  components: unknown[];
  parameterFormat?: string;
  rejectedReason?: string | null;
  /** The template as a content's `template` field, when the API gives it ready-made. */
  definition?: Record<string, unknown>;
  raw: Raw;
}

export function toTemplate(r: Raw): TemplateRow {
  return {
    id: str(r.id ?? `${str(r.name)}:${str(r.language)}`),
    channelId: r.channelId === undefined ? undefined : str(r.channelId),
    name: str(r.name),
    language: str(r.language),
    category: str(r.category),
    status: str(r.status),
    components: (r.components ?? []) as unknown[],
    ...(r.parameterFormat ?? r.parameter_format ? { parameterFormat: str(r.parameterFormat ?? r.parameter_format) } : {}),
    rejectedReason: (r.rejectedReason ?? r.rejected_reason ?? null) as string | null,
    ...(r.definition && typeof r.definition === 'object' ? { definition: r.definition as Record<string, unknown> } : {}),
    raw: r,
  };
}

export async function listTemplates(query: Record<string, string | undefined> = {}): Promise<TemplateRow[]> {
  return asPage<Raw>(await api.get<unknown>('/api/v1/templates', query)).items.map(toTemplate);
}
