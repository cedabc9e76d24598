import { z } from 'zod';
import type { Container } from '../../app/container';
import { channelViewSchema, createChannelSchema, updateChannelSchema } from '../../services/channels-schema';
import { createTemplateSchema } from '../../services/templates';
import type { App } from '../types';
import { idParams } from './schemas';

const SECRET_NOTE = ' Secrets (`accessToken`, `appSecret`, `verifyToken`) are encrypted at rest and never returned: responses say `hasAccessToken` etc.';

export async function channelRoutes(app: App, c: Container) {
  const ch = c.channels;
  const tags = ['channels'];

  app.post('/api/v1/channels/whatsapp', {
    config: { permission: 'channel.manage' },
    schema: {
      tags,
      summary: 'Create a WhatsApp channel',
      description: 'WABA ID, phone numbers (ID, display number, throughput msgs/s, messaging tier), access token, app secret, optional webhook verify token (generated when omitted), Graph API base URL (default https://graph.facebook.com) and version (default v23.0). Point Meta\'s webhook at `webhookPath` on this server.' + SECRET_NOTE,
      body: createChannelSchema,
      response: { 201: channelViewSchema },
    },
  }, async (req, reply) => reply.status(201).send(await ch.create(req.actor, req.body)));

  app.get('/api/v1/channels/whatsapp', {
    config: { permission: 'channel.view' },
    schema: { tags, summary: 'List WhatsApp channels', response: { 200: z.object({ items: z.array(channelViewSchema) }) } },
  }, async () => ({ items: await ch.list() }));

  app.get('/api/v1/channels/whatsapp/:id', {
    config: { permission: 'channel.view' },
    schema: { tags, summary: 'Get a WhatsApp channel', params: idParams, response: { 200: channelViewSchema } },
  }, async (req) => ch.get(req.params.id));

  app.patch('/api/v1/channels/whatsapp/:id', {
    config: { permission: 'channel.manage' },
    schema: {
      tags,
      summary: 'Edit a WhatsApp channel',
      description: 'Any field of creation; `phoneNumbers` replaces the list. `status: "paused"` with `pausedReason` stops sending; `status: "active"` resumes (after a token fix, say).' + SECRET_NOTE,
      params: idParams,
      body: updateChannelSchema,
      response: { 200: channelViewSchema },
    },
  }, async (req) => ch.update(req.actor, req.params.id, req.body));

  app.post('/api/v1/channels/whatsapp/:id/check', {
    config: { permission: 'channel.manage' },
    schema: { tags, summary: 'Check the connection: read every phone number through the Graph API with the channel\'s token', params: idParams },
  }, async (req) => ch.check(req.params.id));

  app.post('/api/v1/channels/whatsapp/:id/templates/sync', {
    config: { permission: 'channel.manage' },
    schema: { tags: ['templates'], summary: 'Sync templates from the WABA (every page of GET /{waba-id}/message_templates)', params: idParams },
  }, async (req) => c.templates.sync(req.actor, req.params.id));

  app.post('/api/v1/channels/whatsapp/:id/templates', {
    config: { permission: 'channel.manage' },
    schema: {
      tags: ['templates'],
      summary: 'Create a template and submit it to WhatsApp for review',
      description: 'Meta\'s fields: `name` (lower-case, digits, _), `language` (en_US…), `category` (MARKETING, UTILITY, AUTHENTICATION), optional `parameterFormat`, and `components` as Meta takes them (HEADER, BODY with examples, FOOTER, BUTTONS). It starts PENDING; a later sync or status webhook brings APPROVED or REJECTED.',
      params: idParams,
      body: createTemplateSchema,
    },
  }, async (req, reply) => reply.status(201).send(await c.templates.create(req.actor, req.params.id, req.body)));
}
