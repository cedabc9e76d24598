import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers';

describe('the WhatsApp routes in the OpenAPI document', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('lists the channel, template, media, test-send and webhook paths with their exact spelling', async () => {
    const r = await server.request('GET', '/openapi.json');
    expect(r.status).toBe(200);
    const paths = Object.keys(r.body.paths as Record<string, unknown>);
    expect(paths).toEqual(expect.arrayContaining([
      '/api/v1/channels/whatsapp',
      '/api/v1/channels/whatsapp/{id}',
      '/api/v1/channels/whatsapp/{id}/check',
      '/api/v1/channels/whatsapp/{id}/templates/sync',
      '/api/v1/channels/whatsapp/{id}/templates',
      '/api/v1/templates',
      '/api/v1/media',
      '/api/v1/messages/test',
      '/webhooks/whatsapp/{channelId}',
    ]));
    const create = r.body.paths['/api/v1/channels/whatsapp'].post;
    expect(Object.keys(create.requestBody.content['application/json'].schema.properties)).toEqual(expect.arrayContaining(['accessToken', 'appSecret', 'verifyToken']));
    expect(Object.keys(create.responses['201'].content['application/json'].schema.properties)).not.toContain('accessToken');
  });
});
