/**
 * 30-bit FNV-1a string hash. The message log keeps one of these per (recipient, callback data) instead of the
 * string itself, to count duplicates over a million messages in little memory; 30 bits keeps the value a V8
 * small integer (no heap number), and collisions only matter within one recipient's own messages.
 */
export function hash30(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & 0x3fffffff;
}
