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
});
