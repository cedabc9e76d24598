/**
 * Lookup tables built from the configured WABAs: which phone number belongs to which WABA, which tokens may
 * touch which WABA, where each number's webhooks go. Rebuilt whenever the configuration changes.
 */
import type { PhoneNumberConfig, SandboxConfig, WabaConfig } from '../config/sandbox-config';
import { digitsOf } from '../graph/recipient-number';
import type { WebhookTarget } from '../webhooks/webhook-dispatcher';

export interface PhoneNumber {
  config: PhoneNumberConfig;
  waba: WabaConfig;
  /** Display number as digits, the form webhooks carry in metadata.display_phone_number. */
  digits: string;
}

export interface Accounts {
  phone(id: string): PhoneNumber | undefined;
  waba(id: string): WabaConfig | undefined;
  /** True when `token` may act on the WABA (global tokens act on all). */
  tokenAllowed(token: string, wabaId: string): boolean;
  /** True when the token is known at all (distinguishes 190 from a permissions problem). */
  tokenKnown(token: string): boolean;
  webhookTarget(phoneNumberId: string): WebhookTarget | undefined;
  wabaWebhookUrl(wabaId: string): string | undefined;
}

export function buildAccounts(config: SandboxConfig): Accounts {
  const phones = new Map<string, PhoneNumber>();
  const wabas = new Map<string, WabaConfig>();
  const global = new Set(config.accessTokens);
  const scoped = new Map<string, Set<string>>();
  const known = new Set(config.accessTokens);
  for (const waba of config.wabas) {
    wabas.set(waba.id, waba);
    scoped.set(waba.id, new Set(waba.accessTokens ?? []));
    for (const t of waba.accessTokens ?? []) known.add(t);
    for (const p of waba.phoneNumbers) phones.set(p.id, { config: p, waba, digits: digitsOf(p.displayPhoneNumber) });
  }
  const targets = new Map<string, WebhookTarget | undefined>();
  return {
    phone: (id) => phones.get(id),
    waba: (id) => wabas.get(id),
    tokenAllowed: (token, wabaId) => global.has(token) || (scoped.get(wabaId)?.has(token) ?? false),
    tokenKnown: (token) => known.has(token),
    webhookTarget(phoneNumberId) {
      if (targets.has(phoneNumberId)) return targets.get(phoneNumberId);
      const phone = phones.get(phoneNumberId);
      const url = phone ? phone.config.webhookUrl ?? phone.waba.webhookUrl ?? config.defaultWebhookUrl : undefined;
      const target = phone && url ? { url, wabaId: phone.waba.id, phoneNumberId, displayPhoneNumber: phone.digits } : undefined;
      targets.set(phoneNumberId, target);
      return target;
    },
    wabaWebhookUrl: (wabaId) => wabas.get(wabaId)?.webhookUrl ?? config.defaultWebhookUrl,
  };
}
