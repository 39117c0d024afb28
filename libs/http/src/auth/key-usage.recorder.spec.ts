import type { TenantKeyStore } from '@conveyor/database';
import { KeyUsageRecorder } from './key-usage.recorder';

describe('KeyUsageRecorder', () => {
  const storeWriting = (writes: string[][], fail = false) =>
    ({
      markUsed: async (ids: readonly string[]) => {
        writes.push([...ids]);
        if (fail) throw new Error('database down');
      },
    }) as unknown as TenantKeyStore;

  it('writes a key’s use at most once per interval, each key on its own', () => {
    const writes: string[][] = [];
    const recorder = new KeyUsageRecorder(storeWriting(writes), 60_000);
    recorder.used('k1', 0);
    recorder.used('k1', 1_000);
    recorder.used('k2', 1_000);
    recorder.used('k1', 59_999);
    recorder.used('k1', 60_000);
    expect(writes).toEqual([['k1'], ['k2'], ['k1']]);
  });

  it('tries again on the next use after a failed write', async () => {
    const writes: string[][] = [];
    const recorder = new KeyUsageRecorder(storeWriting(writes, true), 60_000);
    recorder.used('k1', 0);
    await new Promise((resolve) => setImmediate(resolve));
    recorder.used('k1', 1);
    expect(writes).toEqual([['k1'], ['k1']]);
  });
});
