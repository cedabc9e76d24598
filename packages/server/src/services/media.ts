import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, openAsBlob, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MessageContent } from '@wareach/core';
import type { MediaFileRow, MediaStore } from '../adapters/storage/media-store';
import type { CloudApiClient, GraphFailure } from '../adapters/whatsapp/cloud-api-client';
import type { AuditLog } from './audit';
import type { ChannelService } from './channels';
import { notFound, validationError } from './errors';
import { checkMedia, MAX_MEDIA_BYTES, formatBytes } from './media-rules';
import type { Actor, Clock, IdSource } from './ports';

/** Meta keeps an uploaded media id 30 days (NOTES 2). */
export const META_MEDIA_TTL_MS = 30 * 24 * 3600_000;
/** Re-upload a day early, so a message queued now never carries an id that expires before it leaves. */
export const REUPLOAD_MARGIN_MS = 24 * 3600_000;

export type MediaResolveError = {
  mediaFileId: string;
  /** Meta's code when the upload was refused; null for our own failures (unknown file, missing bytes, network). */
  code: number | null;
  title: string;
  message: string;
  /** Worth trying again later (5xx, network, throttling). */
  retryable: boolean;
  graph?: GraphFailure;
};

export type MediaResolveResult = { ok: true; value: string } | { ok: false; error: MediaResolveError };

export function mediaFileView(f: MediaFileRow) {
  return { mediaFileId: f.id, sha256: f.sha256, mimeType: f.mime_type, kind: f.kind, size: f.size, filename: f.filename, createdAt: new Date(f.created_at).toISOString() };
}

/** The uploaded local files a content refers to (`mediaFileId` of media, headers and template media bindings). */
export function contentMediaFileIds(content: MessageContent): string[] {
  const ids: string[] = [];
  switch (content.type) {
    case 'image':
    case 'video':
    case 'document':
      if (content.mediaFileId) ids.push(content.mediaFileId);
      break;
    case 'cta_url':
    case 'buttons':
      if (content.header && content.header.type !== 'text' && content.header.mediaFileId) ids.push(content.header.mediaFileId);
      break;
    case 'template':
      for (const b of Object.values(content.bindings)) if (b.kind === 'media' && b.mediaFileId) ids.push(b.mediaFileId);
      break;
    case 'text':
    case 'list':
      break;
  }
  return [...new Set(ids)];
}

/**
 * Local media: files uploaded by operators are kept under `<dataDir>/media/<sha256>` and sent to WhatsApp
 * by Meta media id. The id is obtained once per (file, channel, phone number) and reused until a day
 * before Meta forgets it (30 days), then the file is uploaded again.
 */
export function createMediaService(deps: {
  store: MediaStore;
  channels: ChannelService;
  client: CloudApiClient;
  audit: AuditLog;
  clock: Clock;
  ids: IdSource;
  dataDir: string;
}) {
  const dir = path.join(deps.dataDir, 'media');
  const inFlight = new Map<string, Promise<MediaResolveResult>>();
  const fileOf = (sha256: string) => path.join(dir, sha256);

  async function upload(actor: Actor, input: { stream: Readable; mimeType: string | undefined; filename: string | undefined; truncated: () => boolean }) {
    mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, `.upload-${deps.ids.next()}`);
    const hash = createHash('sha256');
    let size = 0;
    const heads: Buffer[] = [];
    let headLen = 0;
    try {
      const tap = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          size += chunk.length;
          if (headLen < 64) {
            heads.push(chunk.subarray(0, 64 - headLen));
            headLen += Math.min(chunk.length, 64 - headLen);
          }
          cb(null, chunk);
        },
      });
      await pipeline(input.stream, tap, createWriteStream(tmp));
      if (input.truncated() || size > MAX_MEDIA_BYTES) {
        throw validationError([{ path: 'file', message: `is larger than ${formatBytes(MAX_MEDIA_BYTES)}, the most WhatsApp accepts for any media` }]);
      }
      const check = checkMedia({ declaredMime: input.mimeType, filename: input.filename, size, head: Buffer.concat(heads) });
      if (!check.ok) throw validationError([{ path: 'file', message: `${input.filename ?? 'the file'} ${check.message}` }]);
      const sha256 = hash.digest('hex');
      if (existsSync(fileOf(sha256))) rmSync(tmp, { force: true });
      else renameSync(tmp, fileOf(sha256));
      const existing = await deps.store.findFile(sha256, check.mimeType);
      if (existing) return mediaFileView(existing);
      const row = {
        id: deps.ids.next(),
        sha256,
        mime_type: check.mimeType,
        kind: check.kind,
        size,
        filename: input.filename ?? null,
        created_by: actor.id,
        created_at: deps.clock.now(),
      };
      await deps.store.insertFile(row);
      await deps.audit.record(actor, { action: 'media.upload', entityType: 'media', entityId: row.id, details: { sha256, mimeType: row.mime_type, size, filename: row.filename } });
      return mediaFileView(row);
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  async function uploadToMeta(file: MediaFileRow, channelId: string, phoneNumberId: string): Promise<MediaResolveResult> {
    const failure = (code: number | null, title: string, message: string, retryable: boolean, graph?: GraphFailure): MediaResolveResult =>
      ({ ok: false, error: { mediaFileId: file.id, code, title, message, retryable, ...(graph ? { graph } : {}) } });
    const local = fileOf(file.sha256);
    if (!existsSync(local)) return failure(null, 'Media file missing', `the bytes of media file ${file.id} are no longer in ${dir}`, false);
    const ctx = await deps.channels.getSendContext(channelId, phoneNumberId);
    const data = await openAsBlob(local, { type: file.mime_type });
    const ext = file.mime_type.split('/')[1]?.replace(/[^a-z0-9]/g, '') ?? 'bin';
    const r = await deps.client.uploadMedia(ctx, { data, mimeType: file.mime_type, filename: file.filename ?? `${file.sha256.slice(0, 16)}.${ext}` });
    if (!r.ok) return failure(r.error.code, r.error.title, r.error.message, r.error.classification.retryable, r.error);
    const now = deps.clock.now();
    await deps.store.saveUpload({ sha256: file.sha256, channelId, phoneNumberId, metaMediaId: r.value.id, uploadedAt: now, expiresAt: now + META_MEDIA_TTL_MS });
    return { ok: true, value: r.value.id };
  }

  /** The Meta media id of an uploaded file for one phone number of a channel, uploading it when needed. */
  async function resolveMediaId(mediaFileId: string, channelId: string, phoneNumberId: string): Promise<MediaResolveResult> {
    const file = await deps.store.getFile(mediaFileId);
    if (!file) return { ok: false, error: { mediaFileId, code: null, title: 'Unknown media file', message: `media file ${mediaFileId} does not exist`, retryable: false } };
    const known = await deps.store.findUpload(file.sha256, channelId, phoneNumberId);
    if (known && deps.clock.now() < known.expiresAt - REUPLOAD_MARGIN_MS) return { ok: true, value: known.metaMediaId };
    // Concurrent sends of one file in this process share one upload.
    const key = `${file.sha256}\u0000${channelId}\u0000${phoneNumberId}`;
    let p = inFlight.get(key);
    if (!p) {
      p = uploadToMeta(file, channelId, phoneNumberId).finally(() => inFlight.delete(key));
      inFlight.set(key, p);
    }
    return p;
  }

  return {
    upload,
    resolveMediaId,
    /** Resolves every uploaded file of a content: the `mediaIds` option of core's buildSendRequest. */
    async resolveContentMedia(content: MessageContent, channelId: string, phoneNumberId: string): Promise<{ ok: true; value: Record<string, string> } | { ok: false; error: MediaResolveError }> {
      const out: Record<string, string> = {};
      for (const id of contentMediaFileIds(content)) {
        const r = await resolveMediaId(id, channelId, phoneNumberId);
        if (!r.ok) return r;
        out[id] = r.value;
      }
      return { ok: true, value: out };
    },
    async get(id: string) {
      const f = await deps.store.getFile(id);
      if (!f) throw notFound('media file', id);
      return mediaFileView(f);
    },
    /** The stored bytes of a file, for the console's preview. */
    async open(id: string) {
      const f = await deps.store.getFile(id);
      if (!f || !existsSync(fileOf(f.sha256))) throw notFound('media file', id);
      return { file: mediaFileView(f), stream: createReadStream(fileOf(f.sha256)) };
    },
  };
}
export type MediaService = ReturnType<typeof createMediaService>;
