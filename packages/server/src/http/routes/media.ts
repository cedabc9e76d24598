import type { Container } from '../../app/container';
import { validationError } from '../../services/errors';
import { ACCEPTED_MIME_TYPES } from '../../services/media-rules';
import type { App } from '../types';
import { idParams } from './schemas';

export async function mediaRoutes(app: App, c: Container) {
  app.post('/api/v1/media', {
    config: { permission: 'channel.manage' },
    schema: {
      tags: ['media'],
      summary: 'Upload a local file for messages (multipart/form-data, one part named `file`)',
      description: `WhatsApp's limits apply: image (jpeg, png) ≤5 MB, video (mp4, 3gpp) ≤16 MB, audio (aac, amr, mpeg, mp4, ogg) ≤16 MB, document ≤100 MB, sticker (webp) ≤100 KB static / 500 KB animated. Accepted types: ${ACCEPTED_MIME_TYPES.join(', ')}. Answers {mediaFileId, …}; use it as \`mediaFileId\` in content. The file is uploaded to each phone number's media API once, when first sent, and reused until Meta's 30 days run out.`,
    },
  }, async (req, reply) => {
    if (!req.isMultipart()) throw validationError([{ path: 'file', message: 'send multipart/form-data with the file in a part named "file"' }]);
    const part = await req.file();
    if (!part) throw validationError([{ path: 'file', message: 'is required' }]);
    const r = await c.media.upload(req.actor, { stream: part.file, mimeType: part.mimetype, filename: part.filename, truncated: () => part.file.truncated });
    return reply.status(201).send(r);
  });

  app.get('/api/v1/media/:id', {
    config: { permission: 'channel.view' },
    schema: { tags: ['media'], summary: 'An uploaded file\'s type, size and hash', params: idParams },
  }, async (req) => c.media.get(req.params.id));

  app.get('/api/v1/media/:id/content', {
    config: { permission: 'channel.view' },
    schema: { tags: ['media'], summary: 'The bytes of an uploaded file (for previews)', params: idParams },
  }, async (req, reply) => {
    const { file, stream } = await c.media.open(req.params.id);
    reply.header('content-type', file.mimeType).header('content-length', String(file.size)).header('cache-control', 'private, max-age=86400');
    return reply.send(stream);
  });
}
