import type { WorkerHeartbeat } from '@conveyor/contracts';
import type { BrokerClient } from '@conveyor/messaging';
import { WorkerDirectory } from './worker-directory';

const beat = (workerId: string, jobs: WorkerHeartbeat['jobs'] = []): WorkerHeartbeat => ({
  worker_id: workerId,
  slots: 4,
  jobs,
  started_at: '2026-01-01T00:00:00.000Z',
  sent_at: '2026-01-01T00:00:00.000Z',
  interval_ms: 1_000,
});

describe('WorkerDirectory', () => {
  const directory = () => new WorkerDirectory({} as BrokerClient);

  it('keeps each worker’s latest heartbeat, listed by id', () => {
    const workers = directory();
    const job = { job_id: '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b', tenant_id: 'tenant-a', started_at: '2026-01-01T00:00:00.000Z' };
    workers.heard(beat('w-2'), new Date(0));
    workers.heard(beat('w-1'), new Date(0));
    workers.heard(beat('w-2', [job]), new Date(500));
    expect(workers.live(600).map((w) => [w.heartbeat.worker_id, w.heartbeat.jobs.length, w.lastSeenAt.getTime()])).toEqual([
      ['w-1', 0, 0],
      ['w-2', 1, 500],
    ]);
  });

  it('forgets a worker silent for more than three of its beats', () => {
    const workers = directory();
    workers.heard(beat('w-1'), new Date(0));
    workers.heard(beat('w-2'), new Date(1_000));
    expect(workers.live(3_000).map((w) => w.heartbeat.worker_id)).toEqual(['w-1', 'w-2']);
    expect(workers.live(3_001).map((w) => w.heartbeat.worker_id)).toEqual(['w-2']);
    expect(workers.live(4_001)).toEqual([]);
  });
});
