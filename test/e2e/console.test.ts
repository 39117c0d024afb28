import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, screenshot } from '../support/browser.util';
import { Api } from '../support/http.util';
import { ServiceProcess, freePort } from '../support/service-process.util';
import { WebhookReceiver } from '../support/webhook-receiver.util';

const TENANT_KEY = 'tok-console-alice';
const ADMIN_KEY = 'adm-console-0123456789';

/**
 * The web console in a real browser (Debian's chromium, driven by playwright-core) against the embedded default as
 * `npm start` runs it: one process, the in-process broker, PGlite, the simulated provider. Each page's screenshot
 * goes to test-artifacts/screenshots.
 */
describe('web console (chromium; embedded: in-process broker, PGlite)', () => {
  let app: ServiceProcess;
  let base: string;
  let alice: Api;
  let browser: Browser;
  let page: Page;
  let receiver: WebhookReceiver;
  const problems: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    receiver = await WebhookReceiver.start();
    // The simulated model, and one whose only deployment is an OpenAI-compatible upstream nobody listens for: its
    // calls fail, so the analytics have provider errors to show.
    const catalog = join(mkdtempSync(join(tmpdir(), 'conveyor-console-')), 'models.json');
    writeFileSync(
      catalog,
      JSON.stringify({
        models: [
          { name: 'simulated', deployments: [{ id: 'simulated', provider: 'simulated', upstream_model: 'simulated' }] },
          {
            name: 'unreachable',
            deployments: [
              {
                id: 'nobody-home',
                provider: 'openai',
                upstream_model: 'm',
                base_url: `http://127.0.0.1:${await freePort()}/v1`,
                api_key_env: 'UNREACHABLE_KEY',
              },
            ],
          },
        ],
        groups: [],
      }),
    );
    app = ServiceProcess.start('embedded', {
      PORT: String(port),
      STREAMING_PORT: '0',
      HOST: '127.0.0.1',
      EMBEDDED_DATA_DIR: 'memory',
      API_KEYS: `${TENANT_KEY}:tenant-alice`,
      ADMIN_API_KEYS: ADMIN_KEY,
      // The test's webhook receiver listens on loopback, which the SSRF guard refuses unless allowed.
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      MODEL_CATALOG_FILE: catalog,
      UNREACHABLE_KEY: 'sk-nobody',
      ROUTING_MAX_RETRIES: '1',
      ROUTING_BACKOFF_BASE_MS: '10',
      WORKER_CONCURRENCY: '2',
      // Slow enough that tokens visibly arrive one by one and a job is still running when the test cancels it.
      SIMULATED_TTFT_MS: '200',
      SIMULATED_TOKENS_PER_SECOND: '15',
      SIMULATED_MIN_TOKENS: '60',
      SIMULATED_MAX_TOKENS: '70',
    });
    await app.waitForLog(/Conveyor is running/, 90_000);
    base = `http://127.0.0.1:${port}`;
    alice = new Api(base, TENANT_KEY);
    browser = await launchChromium();
    page = await openPage(browser, problems);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await receiver?.stop();
  });

  afterEach(() => {
    // A page error or a console error (a refused request, a CSP violation) fails the step it happened in.
    expect(problems.splice(0)).toEqual([]);
  });

  it('serves the page with its own policy, and hashed assets cached for good', async () => {
    const response = await fetch(`${base}/console`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await response.text();
    const script = /src="(console\/assets\/console-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${base}/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${base}/console/assets/..%2Fpackage.json`)).status).toBe(404);
  });

  it('signs in with a tenant key, kept in session storage only and never shown', async () => {
    await page.goto(`${base}/console`);
    // A person types once the form is on screen: keys pressed before the app has rendered go nowhere.
    await page.getByRole('heading', { name: 'Conveyor console' }).waitFor();
    // By keyboard alone: Tab past the Tenant/Operator choice to the key field, type, Enter submits.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type(TENANT_KEY);
    await screenshot(page, '01-sign-in');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    expect(await storage(page, 'sessionStorage')).toContain(TENANT_KEY);
    expect(await storage(page, 'localStorage')).not.toContain(TENANT_KEY);
    expect(await page.content()).not.toContain(TENANT_KEY);
  });

  let chatJobId: string;

  it('sends a chat in the playground and watches its tokens arrive', async () => {
    await page.getByRole('link', { name: 'Playground' }).click();
    await page.getByLabel('Priority').selectOption('high');
    await page.getByLabel('Message').fill('Tell me about queues');
    await page.getByRole('button', { name: 'Send' }).click();

    // Tokens arrive one delta at a time: the answer is seen growing before the job ends.
    const answer = page.getByTestId('assistant-text');
    await waitForText(page, 'assistant-text', 0);
    const early = (await answer.textContent()) ?? '';
    await waitForText(page, 'assistant-text', early.length);
    expect(await page.getByTestId('playground-phase').textContent()).toMatch(/^delta · \d+ deltas$/);
    await page
      .getByTestId('playground-phase')
      .filter({ hasText: /^completed/ })
      .waitFor({ timeout: 30_000 });
    await screenshot(page, '02-playground');

    const link = await page.getByTestId('playground-job-link').getAttribute('href');
    chatJobId = decodeURIComponent(/#\/jobs\/(.+)$/.exec(link!)![1]!);
    const job = await alice.waitForJob(chatJobId);
    expect(job).toMatchObject({ status: 'completed', priority: 'high' });
    // What the page showed is exactly the stored answer.
    expect(await answer.textContent()).toBe(job.result.choices[0].message.content);
  });

  it('stops a chat in the playground, keeping what arrived', async () => {
    await page.getByLabel('Priority').selectOption('normal');
    await page.getByLabel('Message').fill('Then tell me more');
    await page.keyboard.press('Control+Enter');
    await page
      .getByTestId('playground-phase')
      .filter({ hasText: /^delta/ })
      .waitFor();
    await page.getByRole('button', { name: 'Stop' }).click();
    await page
      .getByTestId('playground-phase')
      .filter({ hasText: /^cancelled/ })
      .waitFor({ timeout: 30_000 });
    const links = page.getByTestId('playground-job-link');
    expect(await links.count()).toBe(2);
    const stoppedId = decodeURIComponent(/#\/jobs\/(.+)$/.exec((await links.nth(1).getAttribute('href'))!)![1]!);
    const stopped = await alice.waitForJob(stoppedId, ['cancelled', 'completed']);
    expect(stopped.status).toBe('cancelled');
    // The second turn was sent with the whole conversation: the first answer included.
    const messages = (await alice.get(`/v1/jobs/${stoppedId}/messages`)).body.data;
    expect(messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(await page.getByTestId('assistant-text').nth(1).textContent()).toBe(stopped.partial_result.content);
  });

  it('finds the job in the jobs table and opens it', async () => {
    await page.getByRole('link', { name: 'Jobs' }).click();
    const row = page.locator(`tr[data-job-id="${chatJobId}"]`);
    await row.waitFor();
    await row.locator('[data-status="completed"]').waitFor();
    // The table follows the API live: a job submitted elsewhere appears, then changes status, without a reload.
    const submitted = await alice.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'Another one' }] });
    const fresh = page.locator(`tr[data-job-id="${submitted.body.job_id}"]`);
    await fresh.locator('[data-status="running"]').waitFor({ timeout: 10_000 });
    await fresh.locator('[data-status="completed"]').waitFor({ timeout: 30_000 });
    await page.getByLabel('Status').selectOption('completed');
    await row.waitFor();
    await screenshot(page, '03-jobs');
    await row.getByRole('link').click();
    await page.getByTestId('job-result').waitFor();
    await page.getByText('Tell me about queues').waitFor();
    expect(await page.getByText('Tell me about queues').count()).toBe(1);
    expect(await page.getByRole('table', { name: 'Provider attempts' }).getByRole('cell', { name: 'simulated' }).count()).toBeGreaterThan(0);
  });

  it('cancels a running job from its page', async () => {
    const submitted = await alice.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'A long answer, please' }] });
    expect(submitted.status).toBe(202);
    const jobId: string = submitted.body.job_id;
    await page.goto(`${base}/console#/jobs/${jobId}`);
    // The live stream shows tokens before the cancel.
    await waitForText(page, 'job-stream-text', 0);
    await screenshot(page, '04-job-running');
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await page.locator('[data-status="cancelled"]').waitFor({ timeout: 30_000 });
    const job = await alice.waitForJob(jobId, ['cancelled', 'completed', 'failed']);
    expect(job.status).toBe('cancelled');
    // Tokens were on the page before the cancel, so the partial text holds some; if not, the app's log of the job
    // goes with the failure, to say how (a second attempt, a cancel heard before the start).
    const partialLength = job.partial_result?.content.length ?? 0;
    if (partialLength === 0)
      console.error(
        `job ${jobId}: ${JSON.stringify(job)}\n${app.logs
          .split('\n')
          .filter((line) => line.includes(jobId))
          .join('\n')}`,
      );
    expect(partialLength).toBeGreaterThan(0);
    await page.getByText('Partial result').waitFor();
    await screenshot(page, '05-job-cancelled');
  });

  it('draws the analytics charts from the jobs that ran', async () => {
    const failing = await alice.post('/v1/chat/completions', { model: 'unreachable', messages: [{ role: 'user', content: 'Anyone?' }] });
    expect(failing.status).toBe(202);
    const failed = await alice.waitForJob(failing.body.job_id, ['failed', 'completed'], 60_000);
    expect(failed.status).toBe('failed');
    const providerErrors = failed.provider_attempts.filter((a: { outcome: string }) => a.outcome === 'error').length;
    expect(providerErrors).toBeGreaterThan(0);

    await page.getByRole('link', { name: 'Analytics' }).click();
    // Five jobs so far, one high and four normal, one of them failed: the charts hold exactly those data.
    const traffic = page.locator('canvas[data-chart="Requests and tokens over time"]');
    await traffic.and(page.locator(':not([data-points="0"])')).waitFor();
    expect(await traffic.getAttribute('aria-label')).toBe('Requests and tokens over time: 5 requests in the window');
    expect(await page.locator('canvas[data-chart="Jobs per band"]').getAttribute('aria-label')).toBe('Jobs per band: high 1, normal 4');
    expect(await page.locator('canvas[data-chart="Failed provider calls by model and deployment"]').getAttribute('aria-label')).toBe(
      `Failed provider calls by model and deployment: unreachable/nobody-home ${providerErrors}`,
    );
    await page.locator('canvas[data-chart="Queue depth per band"]').and(page.locator('[aria-label*="high 0"]')).waitFor();
    const box = await traffic.boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    await screenshot(page, '06-analytics');
  });

  it('adds a webhook endpoint, shows its deliveries and replays one', async () => {
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByText('No endpoints yet.').waitFor();
    await page.getByLabel('URL').fill(receiver.url);
    await page.getByLabel('Description').fill('console e2e');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = (await page.getByTestId('shown-once-secret').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.content()).not.toContain(secret);

    // A job that ends after the endpoint exists is delivered to it…
    const submitted = await alice.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'Hook me' }] });
    await alice.waitForJob(submitted.body.job_id);
    const [first] = await receiver.waitFor(1);
    await page.getByRole('button', { name: `Deliveries of ${receiver.url}` }).click();
    const delivery = page.getByRole('table', { name: 'Deliveries' }).locator('tbody tr');
    await delivery.getByRole('cell', { name: 'succeeded' }).waitFor({ timeout: 15_000 });
    expect(await delivery.count()).toBe(1);
    await screenshot(page, '07-webhooks');

    // …and replayed from the console: the same webhook-id again.
    await delivery.getByRole('button', { name: 'Replay' }).click();
    const [, replayed] = await receiver.waitFor(2);
    expect(replayed!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(JSON.parse(replayed!.body).data.job_id).toBe(submitted.body.job_id);
  });

  it('pages through the jobs table', async () => {
    // 6 jobs so far; 15 more make 21: a full page of 20, and one on the next.
    for (let i = 0; i < 15; i++) expect((await alice.post('/v1/chat/completions', { messages: [{ role: 'user', content: `Job ${i}` }] })).status).toBe(202);
    const listed = await alice.get('/v1/jobs?limit=100');
    expect(listed.body.data).toHaveLength(21);
    const oldest: string = listed.body.data[20].job_id;

    await page.getByRole('link', { name: 'Jobs' }).click();
    const rows = page.getByTestId('jobs-table').locator('tbody tr');
    await page.locator(`tr[data-job-id="${listed.body.data[0].job_id}"]`).waitFor();
    expect(await rows.count()).toBe(20);
    await page.getByRole('button', { name: 'Older' }).click();
    await page.locator(`tr[data-job-id="${oldest}"]`).waitFor();
    expect(await rows.count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Older' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Newer' }).click();
    await page.locator(`tr[data-job-id="${listed.body.data[0].job_id}"]`).waitFor();
    expect(await rows.count()).toBe(20);
  });

  it('signs out, forgetting the key', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await storage(page, 'sessionStorage')).not.toContain(TENANT_KEY);
  });

  it('refuses an admin key in the tenant view', async () => {
    await page.getByLabel('API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'This is not a tenant key.' }).waitFor();
    expect(await page.content()).not.toContain(ADMIN_KEY);
    // The browser logs the refused check; that one is expected.
    expect(problems.splice(0)).toEqual(['console: Failed to load resource: the server responded with a status of 403 (Forbidden)']);
  });

  it('signs in as an operator, creates a key and revokes it, and the revoked key is refused', async () => {
    await page.locator('label', { hasText: 'Operator' }).click();
    await page.getByLabel('Admin key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Tenants and keys' }).waitFor();

    await page.getByLabel('New tenant id').fill('tenant-console');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.locator('tr[data-tenant="tenant-console"]').waitFor();
    await page.getByRole('button', { name: 'Keys of tenant-console' }).click();
    await page.getByLabel('Key name (optional)').fill('console e2e');
    await page.getByRole('button', { name: 'Create key' }).click();
    const newKey = (await page.getByTestId('shown-once-secret').textContent())!;
    expect(newKey).toMatch(/^cvk_/);
    await screenshot(page, '08-operator-keys');

    // The new key works for its tenant…
    const holder = new Api(base, newKey);
    expect((await holder.get('/v1/models')).status).toBe(200);
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.content()).not.toContain(newKey);
    expect(await page.content()).not.toContain(ADMIN_KEY);

    // …until it is revoked from the console.
    const row = page.getByRole('table', { name: 'Keys of tenant-console' }).locator('tbody tr');
    expect(await row.count()).toBe(1);
    await row.getByRole('button', { name: /^Revoke key/ }).click();
    await row.getByText('revoked').waitFor();
    const deadline = Date.now() + 10_000;
    let refused = await holder.get('/v1/models');
    while (refused.status === 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      refused = await holder.get('/v1/models');
    }
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('invalid_api_key');
  });

  it('shows dead letters and workers to the operator', async () => {
    await page.getByRole('link', { name: 'Dead letters' }).click();
    await page.getByText('No dead letters in state dead.').waitFor();
    await screenshot(page, '09-operator-dead-letters');
    await page.getByRole('link', { name: 'Workers' }).click();
    // The embedded worker reports in with its slots (WORKER_CONCURRENCY=2).
    const worker = page.getByRole('table', { name: 'Workers' }).locator('tbody tr').first();
    await worker.waitFor();
    expect(await worker.locator('td').nth(1).textContent()).toBe('2');
    await screenshot(page, '10-operator-workers');
  });

  it("lists the operator's actions in the audit log", async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    const actions = page.getByRole('table', { name: 'Audit log' }).locator('tbody tr');
    await actions.first().waitFor();
    // Newest first: what this test's operator did, in reverse.
    expect(await actions.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')))).toEqual(['api_key.revoke', 'api_key.create', 'tenant.create']);
    await screenshot(page, '11-operator-audit');
  });
});

/** What the page keeps in a storage area, as text. (Page-side code reaches the DOM through globalThis: this file has no DOM types.) */
function storage(page: Page, area: 'sessionStorage' | 'localStorage'): Promise<string> {
  return page.evaluate((name) => JSON.stringify((globalThis as any)[name]), area);
}

/** Waits until the first element with this test id holds more than `length` characters of text. */
async function waitForText(page: Page, testId: string, length: number): Promise<void> {
  await page.waitForFunction(
    ({ id, n }) => ((globalThis as any).document.querySelector(`[data-testid="${id}"]`)?.textContent ?? '').length > n,
    { id: testId, n: length },
    { timeout: 30_000 },
  );
}
