/**
 * Each area of the console declares its strings once per language. The Chinese table must have exactly
 * the English table's keys: a missing or extra key is a type error, so no string can go untranslated.
 */
export function defineMessages<const E extends Record<string, string>>(en: E, zh: { [K in keyof E]: string }) {
  return { en, zh } as { en: { [K in keyof E]: string }; zh: { [K in keyof E]: string } };
}

export type Lang = 'zh' | 'en';
export const LANGS: readonly Lang[] = ['zh', 'en'];
