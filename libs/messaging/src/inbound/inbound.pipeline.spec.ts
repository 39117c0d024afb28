import { uuidv7, type MessageType } from '@conveyor/contracts';
import { currentJobId } from '@conveyor/telemetry';
import { Outcome } from '../handler-outcome';
import { InboundPipeline, type InboundHandler } from './inbound.pipeline';

const started = (jobId: string) => ({ job_id: jobId, tenant_id: 't', attempt: 1, worker_id: 'w', started_at: new Date().toISOString() });
const message = (type: MessageType, payload: unknown) => ({ type, body: Buffer.from(JSON.stringify(payload)), headers: {}, queue: 'conveyor.persistence' });

/** The pipeline with a logger that notes which job each of its lines was logged for. */
function pipeline(spans: boolean) {
  const logged: Array<{ level: string; jobId: string | undefined }> = [];
  const logger = {
    warn: () => logged.push({ level: 'warn', jobId: currentJobId() }),
    error: () => logged.push({ level: 'error', jobId: currentJobId() }),
  };
  return { logged, pipeline: new InboundPipeline({ system: 'in-process', logger, unhandled: 'dead-letter', spans }) };
}

describe('InboundPipeline job context', () => {
  it.each([true, false])('runs the handler with the payload job_id as the job of its log lines (spans: %s)', async (spans) => {
    const jobId = uuidv7();
    let seen: string | undefined;
    const handler: InboundHandler = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      seen = currentJobId();
      return Outcome.ack();
    };
    const outcome = await pipeline(spans).pipeline.run(message('job.started', started(jobId)), () => handler);
    expect(outcome).toEqual(Outcome.ack());
    expect(seen).toBe(jobId);
    expect(currentJobId()).toBeUndefined();
  });

  it("logs a handler's failure under its job too", async () => {
    const jobId = uuidv7();
    const { logged, pipeline: p } = pipeline(true);
    const outcome = await p.run(message('job.started', started(jobId)), () => () => Promise.reject(new Error('boom')));
    expect(outcome.action).toBe('retry');
    expect(logged).toEqual([{ level: 'error', jobId }]);
  });

  it('gives each of two concurrent messages its own job', async () => {
    const [a, b] = [uuidv7(), uuidv7()];
    const seen: Record<string, string | undefined> = {};
    const handler: InboundHandler = async (payload) => {
      await new Promise((resolve) => setTimeout(resolve, (payload as { job_id: string }).job_id === a ? 20 : 1));
      seen[(payload as { job_id: string }).job_id] = currentJobId();
    };
    const p = pipeline(false).pipeline;
    await Promise.all([p.run(message('job.started', started(a)), () => handler), p.run(message('job.started', started(b)), () => handler)]);
    expect(seen).toEqual({ [a]: a, [b]: b });
  });
});
