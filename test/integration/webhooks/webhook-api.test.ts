import { SEED_BODY, type Api } from '../../support/http.util';
import { WebhookSystem } from '../../support/webhook-system.util';

/** The webhook API's refusals: blocked destinations (422), invalid input (400), other tenants' endpoints (404). */
describe('webhook API (RabbitMQ, real PostgreSQL)', () => {
  let system: WebhookSystem;
  let alice: Api;
  let bob: Api;

  beforeAll(async () => {
    // Only 127.0.0.1 is allowlisted: every other private destination stays refused.
    system = await WebhookSystem.start('webhook_api', { API_KEYS: 'tok-hookapi-alice:tenant-hookapi-alice,tok-hookapi-bob:tenant-hookapi-bob' });
    alice = system.api('tok-hookapi-alice');
    bob = system.api('tok-hookapi-bob');
  });

  afterAll(() => system?.stop());

  it.each(['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/hook', 'http://[::1]/hook', 'http://2130706434:8080/', 'ftp://example.com/'])(
    'refuses to register %s with 422 blocked_destination',
    async (url) => {
      const res = await alice.post('/v1/webhooks', { url });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'blocked_destination', param: 'url' });
    },
  );

  it('refuses a blocked callback_url at submit, storing no job', async () => {
    const before = (await alice.get('/v1/jobs?limit=100')).body.data.length;
    const res = await alice.post('/v1/chat/completions', { ...SEED_BODY, callback_url: 'http://192.168.1.1/cb' });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'blocked_destination', param: 'callback_url' });
    expect((await alice.get('/v1/jobs?limit=100')).body.data.length).toBe(before);
  });

  it('refuses unknown event types with 400 naming the field', async () => {
    const res = await alice.post('/v1/webhooks', { url: 'http://127.0.0.1:9/hook', event_types: ['job.started'] });
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe('event_types[0]');
  });

  it("answers 404 for another tenant's endpoint, and never shows the secret again", async () => {
    const created = await alice.post('/v1/webhooks', { url: 'http://127.0.0.1:9/hook', event_types: ['job.failed'] });
    expect(created.status).toBe(201);
    const { id } = created.body;
    expect((await alice.get(`/v1/webhooks/${id}`)).body).toMatchObject({ id, event_types: ['job.failed'], enabled: true });
    expect((await alice.get(`/v1/webhooks/${id}`)).body).not.toHaveProperty('secret');
    expect((await alice.get('/v1/webhooks')).body.data.every((e: object) => !('secret' in e))).toBe(true);

    for (const res of [
      await bob.get(`/v1/webhooks/${id}`),
      await bob.get(`/v1/webhooks/${id}/deliveries`),
      await bob.post(`/v1/webhooks/${id}/rotate-secret`),
      await bob.post(`/v1/webhooks/${id}/enable`),
      await bob.request('DELETE', `/v1/webhooks/${id}`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('webhook_not_found');
    }
    expect((await bob.get('/v1/webhooks')).body.data).toEqual([]);

    expect((await alice.request('DELETE', `/v1/webhooks/${id}`)).status).toBe(200);
    expect((await alice.get(`/v1/webhooks/${id}`)).status).toBe(404);
  });
});
