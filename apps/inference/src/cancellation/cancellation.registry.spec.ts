import { CancellationRegistry, JobCancelledError } from './cancellation.registry';

describe('CancellationRegistry', () => {
  it('aborts a running job with a JobCancelledError reason', () => {
    const registry = new CancellationRegistry();
    const controller = registry.begin('job-1');
    expect(registry.cancel('job-1')).toBe(true);
    expect(controller.signal.aborted).toBe(true);
    expect(controller.signal.reason).toBeInstanceOf(JobCancelledError);
  });

  it('remembers a request that came before the job started here', () => {
    const registry = new CancellationRegistry();
    expect(registry.cancel('job-2')).toBe(false);
    expect(registry.begin('job-2').signal.aborted).toBe(true);
  });

  it('leaves other jobs alone and forgets a job once it ends', () => {
    const registry = new CancellationRegistry();
    const other = registry.begin('job-3');
    registry.cancel('job-4');
    expect(other.signal.aborted).toBe(false);
    registry.end('job-3');
    expect(registry.cancel('job-3')).toBe(false);
    expect(other.signal.aborted).toBe(false);
  });

  it('stops a job running here, and remembers nothing for a job that is not', () => {
    const registry = new CancellationRegistry();
    const running = registry.begin('job-5');
    expect(registry.stop('job-5')).toBe(true);
    expect(running.signal.reason).toBeInstanceOf(JobCancelledError);
    expect(registry.stop('job-6')).toBe(false);
    expect(registry.begin('job-6').signal.aborted).toBe(false);
  });
});
