import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api } from '../support/http.util';
import { ServiceProcess, freePort } from '../support/service-process.util';

/**
 * In the embedded mode the committed row is what makes a 202 durable: jobs accepted before a crash are put back
 * on the in-process bus when the process starts again over the same data directory.
 */
describe('embedded mode after a crash (in-process broker, embedded PGlite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'conveyor-embedded-'));
  let current: ServiceProcess | undefined;

  const launch = async (port: number, simulated: Record<string, string>) => {
    current = ServiceProcess.start('embedded', {
      PORT: String(port),
      STREAMING_PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'log',
      EMBEDDED_DATA_DIR: dataDir,
      WORKER_CONCURRENCY: '1',
      ...simulated,
    });
    await current.waitForLog(/Conveyor is running/, 60_000);
    return new Api(`http://127.0.0.1:${port}`, 'tok-alice-secret');
  };

  afterAll(async () => {
    await current?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes every accepted job after SIGKILL and a restart', async () => {
    const port = await freePort();
    const before = await launch(port, { SIMULATED_TTFT_MS: '60000' }); // nothing can finish before the crash
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await before.post('/v1/chat/completions', { messages: [{ role: 'user', content: `crash ${i}` }] });
      expect(res.status).toBe(202);
      ids.push(res.body.job_id);
    }
    await current!.kill();

    const after = await launch(port, { SIMULATED_TTFT_MS: '0', SIMULATED_TOKENS_PER_SECOND: '0' });
    expect(current!.logs).toMatch(/re-enqueued 3 unfinished job\(s\)/);
    const jobs = await Promise.all(ids.map((id) => after.waitForJob(id)));
    expect(jobs.map((j) => j.status)).toEqual(['completed', 'completed', 'completed']);
  });
});
