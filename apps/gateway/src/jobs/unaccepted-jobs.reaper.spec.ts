import type { JobStore, RemovalOutcome } from '@conveyor/database';
import { UnacceptedJobsReaper } from './unaccepted-jobs.reaper';

/** A store whose `remove` fails while `down` is true and answers `outcome` otherwise, recording every call. */
function flakyStore(down = true, outcome: RemovalOutcome = 'removed') {
  const state = { down, calls: 0, outcome };
  const store = {
    remove: async () => {
      state.calls++;
      if (state.down) throw new Error('connection terminated');
      return state.outcome;
    },
  } as unknown as JobStore;
  return { store, state };
}

/** Runs due timers and the promise callbacks they start. */
async function advance(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
}

describe('UnacceptedJobsReaper', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('keeps removing a refused job while the database is down, then once more after it answered', async () => {
    const { store, state } = flakyStore();
    const reaper = new UnacceptedJobsReaper(store);
    reaper.remove('01960000-0000-7000-8000-000000000001');
    await advance(0);
    expect(state.calls).toBe(1);
    await advance(250 + 500);
    expect(state.calls).toBe(3); // retried at +0.25 s and +0.75 s
    state.down = false;
    await advance(1_000);
    expect(state.calls).toBe(4); // the database answered
    await advance(4_999);
    expect(state.calls).toBe(4);
    await advance(1);
    expect(state.calls).toBe(5); // the confirming removal, for an INSERT that landed late
    await advance(60_000);
    expect(state.calls).toBe(5);
    reaper.onModuleDestroy();
  });

  it('gives up after ten minutes of a database that never answers', async () => {
    const { store, state } = flakyStore();
    const reaper = new UnacceptedJobsReaper(store);
    reaper.remove('01960000-0000-7000-8000-000000000002');
    await advance(11 * 60_000);
    const calls = state.calls;
    await advance(60 * 60_000);
    expect(state.calls).toBe(calls);
    reaper.onModuleDestroy();
  });

  it('stops at a row the store keeps because its message is queued', async () => {
    const { store, state } = flakyStore(false, 'delivered');
    const reaper = new UnacceptedJobsReaper(store);
    reaper.remove('01960000-0000-7000-8000-000000000004');
    await advance(60_000);
    expect(state.calls).toBe(1);
    reaper.onModuleDestroy();
  });
});
