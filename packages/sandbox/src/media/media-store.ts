/**
 * Uploaded media (`POST /{phone-number-id}/media`), kept in memory with Meta's type and size limits
 * (NOTES 2). Stickers are 100 KB when static and 500 KB when animated; the animation flag is read from the
 * WebP VP8X header rather than trusted from the client.
 */
import { createHash } from 'node:crypto';
import { fail, type MetaFailure } from '../graph/graph-error';
import type { MediaType } from '../graph/media-ref';

const MB = 1024 * 1024;
const KB = 1024;

export const MEDIA_LIMITS: Record<string, { kind: MediaType; maxBytes: number }> = {
  'image/jpeg': { kind: 'image', maxBytes: 5 * MB },
  'image/png': { kind: 'image', maxBytes: 5 * MB },
  'video/mp4': { kind: 'video', maxBytes: 16 * MB },
  'video/3gpp': { kind: 'video', maxBytes: 16 * MB },
  'audio/aac': { kind: 'audio', maxBytes: 16 * MB },
  'audio/amr': { kind: 'audio', maxBytes: 16 * MB },
  'audio/mpeg': { kind: 'audio', maxBytes: 16 * MB },
  'audio/mp4': { kind: 'audio', maxBytes: 16 * MB },
  'audio/ogg': { kind: 'audio', maxBytes: 16 * MB },
  'text/plain': { kind: 'document', maxBytes: 100 * MB },
  'application/pdf': { kind: 'document', maxBytes: 100 * MB },
  'application/msword': { kind: 'document', maxBytes: 100 * MB },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { kind: 'document', maxBytes: 100 * MB },
  'application/vnd.ms-excel': { kind: 'document', maxBytes: 100 * MB },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { kind: 'document', maxBytes: 100 * MB },
  'application/vnd.ms-powerpoint': { kind: 'document', maxBytes: 100 * MB },
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': { kind: 'document', maxBytes: 100 * MB },
  'image/webp': { kind: 'sticker', maxBytes: 500 * KB },
};

/** Largest upload the multipart parser has to accept before the per-type check can run. */
export const MAX_UPLOAD_BYTES = 100 * MB;

export interface StoredMedia {
  id: string;
  phoneNumberId: string;
  mimeType: string;
  kind: MediaType;
  sha256: string;
  fileSize: number;
  data: Buffer;
  createdAt: number;
}

function isAnimatedWebp(data: Buffer): boolean {
  return data.length >= 21 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 12, 16) === 'VP8X' && (data[20]! & 0x02) !== 0;
}

/** Checks an upload against Meta's limits; returns the media kind or the 131053 refusal. */
export function checkUpload(mimeType: string, data: Buffer, truncated: boolean): { ok: true; kind: MediaType } | { ok: false; failure: MetaFailure } {
  const mime = mimeType.split(';')[0]!.trim().toLowerCase();
  const limit = MEDIA_LIMITS[mime];
  if (!limit) return { ok: false, failure: fail(131053, `Unsupported file type ${mime || '(none)'}.`) };
  let max = limit.maxBytes;
  if (limit.kind === 'sticker' && !isAnimatedWebp(data)) max = 100 * KB;
  if (truncated || data.length > max) {
    return { ok: false, failure: fail(131053, `File of type ${mime} is larger than the ${Math.round(max / KB)} KB limit.`) };
  }
  if (data.length === 0) return { ok: false, failure: fail(131053, 'The uploaded file is empty.') };
  return { ok: true, kind: limit.kind };
}

export class MediaStore {
  private readonly items = new Map<string, StoredMedia>();

  add(id: string, phoneNumberId: string, mimeType: string, kind: MediaType, data: Buffer, now: number): StoredMedia {
    const media: StoredMedia = {
      id,
      phoneNumberId,
      mimeType: mimeType.split(';')[0]!.trim().toLowerCase(),
      kind,
      sha256: createHash('sha256').update(data).digest('hex'),
      fileSize: data.length,
      data,
      createdAt: now,
    };
    this.items.set(id, media);
    return media;
  }

  get(id: string): StoredMedia | undefined {
    return this.items.get(id);
  }

  delete(id: string): boolean {
    return this.items.delete(id);
  }

  clear(): void {
    this.items.clear();
  }
}
