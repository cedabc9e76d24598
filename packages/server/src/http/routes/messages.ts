import { z } from 'zod';
import type { Container } from '../../app/container';
import { testSendSchema } from '../../services/test-send';
import type { App } from '../types';
import { pageQuery } from './schemas';

export async function messageRoutes(app: App, c: Container) {
  const t = c.whatsapp.testSends;
  app.post('/api/v1/messages/test', {
    config: { permission: 'channel.manage' },
    schema: {
      tags: ['messages'],
      summary: 'Test send: a real send of a content to 1–20 phone numbers, outside caps and do-not-disturb',
      description: '`content` is a message content (as in a task); `variables` ({attributes, tags, id}) personalise it, else each recipient\'s profile is used. Every recipient is recorded as a test send (`accepted` with its wamid, or `failed` with the error code and title); status webhooks move it to sent, delivered, read or failed.',
      body: testSendSchema,
    },
  }, async (req) => t.send(req.actor, req.body));

  app.get('/api/v1/messages/test', {
    config: { permission: 'channel.manage' },
    schema: { tags: ['messages'], summary: 'Test sends, newest first', querystring: pageQuery.extend({ channelId: z.string().max(200).optional() }) },
  }, async (req) => t.list({ limit: req.query.limit, offset: req.query.offset, ...(req.query.channelId ? { channelId: req.query.channelId } : {}) }));
}
