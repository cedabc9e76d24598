/**
 * What WhatsApp accepts as uploaded media (NOTES section 2): MIME types and sizes per kind, and a sniff
 * of the first bytes, so a file whose content does not match its declared type is refused here rather
 * than by Meta with 131053 at send time.
 */
export type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';

const MB = 1024 * 1024;

export const MEDIA_KINDS: Record<MediaKind, { mimeTypes: readonly string[]; maxBytes: number }> = {
  image: { mimeTypes: ['image/jpeg', 'image/png'], maxBytes: 5 * MB },
  video: { mimeTypes: ['video/mp4', 'video/3gpp'], maxBytes: 16 * MB },
  audio: { mimeTypes: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'], maxBytes: 16 * MB },
  document: {
    mimeTypes: [
      'text/plain',
      'application/pdf',
      'application/msword',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.ms-excel',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
    maxBytes: 100 * MB,
  },
  // Static stickers ≤100 KB, animated ≤500 KB.
  sticker: { mimeTypes: ['image/webp'], maxBytes: 500 * 1024 },
};

export const STATIC_STICKER_MAX = 100 * 1024;
export const MAX_MEDIA_BYTES = 100 * MB;

const EXTENSIONS: Record<string, string> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp',
  mp4: 'video/mp4', '3gp': 'video/3gpp', '3gpp': 'video/3gpp',
  aac: 'audio/aac', amr: 'audio/amr', mp3: 'audio/mpeg', m4a: 'audio/mp4', ogg: 'audio/ogg', opus: 'audio/ogg',
  txt: 'text/plain', pdf: 'application/pdf', doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint', pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

export const ACCEPTED_MIME_TYPES = Object.values(MEDIA_KINDS).flatMap((k) => k.mimeTypes);

export function kindOfMime(mime: string): MediaKind | undefined {
  return (Object.keys(MEDIA_KINDS) as MediaKind[]).find((k) => MEDIA_KINDS[k].mimeTypes.includes(mime));
}

/** The declared type, or the one the file name implies when the browser sent none (octet-stream). */
export function effectiveMime(declared: string | undefined, filename: string | undefined): string | undefined {
  const d = declared?.split(';')[0]?.trim().toLowerCase();
  if (d && d !== 'application/octet-stream') return d === 'image/jpg' ? 'image/jpeg' : d;
  const ext = filename?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  return ext ? EXTENSIONS[ext] : undefined;
}

/** The type the first bytes prove, for the formats that have a signature; undefined when they prove nothing. */
export function sniffMime(head: Buffer): string | undefined {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (head.subarray(4, 8).toString('latin1') === 'ftyp') {
    const brand = head.subarray(8, 12).toString('latin1');
    if (brand.startsWith('3gp') || brand.startsWith('3g2')) return 'video/3gpp';
    if (brand.startsWith('M4A')) return 'audio/mp4';
    return 'video/mp4';
  }
  if (head.subarray(0, 4).toString('latin1') === 'OggS') return 'audio/ogg';
  return undefined;
}

/** Types that share a container, where the sniffed brand cannot tell them apart. */
const COMPATIBLE: Record<string, string[]> = {
  'video/mp4': ['audio/mp4'],
  'audio/mp4': ['video/mp4'],
  'video/3gpp': ['video/mp4'],
};

export type MediaCheck = { ok: true; kind: MediaKind; mimeType: string } | { ok: false; message: string };

/** Checks type, content and size against WhatsApp's limits; the message says what to change. */
export function checkMedia(input: { declaredMime: string | undefined; filename: string | undefined; size: number; head: Buffer }): MediaCheck {
  const mime = effectiveMime(input.declaredMime, input.filename);
  if (!mime) return { ok: false, message: `has no recognisable type: send it with its MIME type (one of ${ACCEPTED_MIME_TYPES.join(', ')})` };
  const kind = kindOfMime(mime);
  if (!kind) return { ok: false, message: `is ${mime}, which WhatsApp does not accept; accepted: ${ACCEPTED_MIME_TYPES.join(', ')}` };
  if (input.size === 0) return { ok: false, message: 'is empty' };
  const sniffed = sniffMime(input.head);
  if (sniffed && sniffed !== mime && !(COMPATIBLE[mime] ?? []).includes(sniffed)) {
    return { ok: false, message: `is declared as ${mime} but its content is ${sniffed} (WhatsApp refuses mismatched types)` };
  }
  const mustSniff = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'];
  if (!sniffed && mustSniff.includes(mime)) return { ok: false, message: `is declared as ${mime} but its content is not a ${mime} file` };
  let max = MEDIA_KINDS[kind].maxBytes;
  if (kind === 'sticker' && !isAnimatedWebp(input.head)) max = STATIC_STICKER_MAX;
  if (input.size > max) {
    return { ok: false, message: `is ${formatBytes(input.size)}; WhatsApp accepts at most ${formatBytes(max)} for ${kind === 'sticker' ? (max === STATIC_STICKER_MAX ? 'a static sticker' : 'an animated sticker') : `${kind}s`} (${mime})` };
  }
  return { ok: true, kind, mimeType: mime };
}

/** An extended WebP (VP8X) with its animation flag set. */
function isAnimatedWebp(head: Buffer): boolean {
  return head.subarray(12, 16).toString('latin1') === 'VP8X' && head.length > 20 && ((head[20] ?? 0) & 0x02) !== 0;
}

export function formatBytes(n: number): string {
  if (n >= MB) return `${(n / MB).toFixed(n % MB === 0 ? 0 : 1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KB`;
  return `${n} bytes`;
}
