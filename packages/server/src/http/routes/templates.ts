import { z } from 'zod';
import type { Container } from '../../app/container';
import type { App } from '../types';
import { idParams, pageQuery } from './schemas';

export async function templateRoutes(app: App, c: Container) {
  app.get('/api/v1/templates', {
    config: { permission: 'channel.view' },
    schema: {
      tags: ['templates'],
      summary: 'List synced templates with status, category, language and their variable slots',
      description: '`slots` lists what must be bound at send time (header text/media, body variables, URL-button suffixes, coupon codes); `definition` is ready to put in a template content. Only APPROVED templates can be sent by a task.',
      querystring: pageQuery.extend({ channelId: z.string().max(200).optional(), status: z.string().max(40).optional(), q: z.string().max(200).optional() }),
    },
  }, async (req) => c.templates.list({
    limit: req.query.limit,
    offset: req.query.offset,
    ...(req.query.channelId ? { channelId: req.query.channelId } : {}),
    ...(req.query.status ? { status: req.query.status } : {}),
    ...(req.query.q ? { q: req.query.q } : {}),
  }));

  app.get('/api/v1/templates/:id', {
    config: { permission: 'channel.view' },
    schema: { tags: ['templates'], summary: 'Get a template', params: idParams },
  }, async (req) => c.templates.get(req.params.id));
}
