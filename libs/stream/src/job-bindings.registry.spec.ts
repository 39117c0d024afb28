import { JobBindingsRegistry } from './job-bindings.registry';

function recordingBinder() {
  const calls: string[] = [];
  return { calls, bind: async (p: string) => void calls.push(`bind ${p}`), unbind: async (p: string) => void calls.push(`unbind ${p}`) };
}

describe('JobBindingsRegistry', () => {
  it('binds on the first watcher and unbinds when the last leaves', async () => {
    const binder = recordingBinder();
    const registry = new JobBindingsRegistry(binder);
    await Promise.all([registry.acquire('j1'), registry.acquire('j1')]);
    await registry.release('j1');
    expect(binder.calls).toEqual(['bind job.*.j1']);
    expect(registry.bound().get('j1')).toBe(1);
    await registry.release('j1');
    expect(binder.calls).toEqual(['bind job.*.j1', 'unbind job.*.j1']);
    expect(registry.bound().size).toBe(0);
  });

  it('keeps jobs apart and ignores a release without an acquire', async () => {
    const binder = recordingBinder();
    const registry = new JobBindingsRegistry(binder);
    await registry.release('ghost');
    await registry.acquire('a');
    await registry.acquire('b');
    await registry.release('a');
    expect(binder.calls).toEqual(['bind job.*.a', 'bind job.*.b', 'unbind job.*.a']);
    expect([...registry.bound().keys()]).toEqual(['b']);
  });

  it('runs a release racing a bind after it, leaving no stray binding', async () => {
    const binder = recordingBinder();
    const registry = new JobBindingsRegistry(binder);
    const acquired = registry.acquire('j');
    const released = registry.release('j');
    await Promise.all([acquired, released]);
    expect(binder.calls).toEqual(['bind job.*.j', 'unbind job.*.j']);
  });
});
