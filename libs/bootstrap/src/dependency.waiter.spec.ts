import { waitForDependencies, type Dependency } from './dependency.waiter';

/** A dependency that fails its first `failures` checks. */
function flaky(name: Dependency['name'], failures: number): Dependency & { checks: number } {
  const dependency = {
    name,
    checks: 0,
    check: async () => {
      dependency.checks += 1;
      if (dependency.checks <= failures) throw new Error(`${name} down (${dependency.checks})`);
    },
  };
  return dependency;
}

function recorder() {
  const warnings: string[] = [];
  const logs: string[] = [];
  return { warnings, logs, logger: { warn: (m: string) => warnings.push(m), log: (m: string) => logs.push(m) } };
}

describe('waitForDependencies', () => {
  it('doubles its wait from the first delay up to the ceiling, logging each wait with its reason', async () => {
    const broker = flaky('broker', 6);
    const { warnings, logs, logger } = recorder();
    await waitForDependencies([broker], logger, undefined, { initialMs: 1, maxMs: 8 });
    expect(broker.checks).toBe(7);
    expect(warnings.map((w) => w.match(/next try in ([\d.]+) s/)![1])).toEqual(['0.001', '0.002', '0.004', '0.008', '0.008', '0.008']);
    expect(warnings[0]).toBe('waiting for broker (broker down (1)); next try in 0.001 s');
    expect(logs).toEqual(['broker reachable: starting']);
  });

  it('checks again only what is missing, and reports what is missing after each round', async () => {
    const broker = flaky('broker', 0);
    const database = flaky('database', 2);
    const reports: string[][] = [];
    const { warnings, logger } = recorder();
    await waitForDependencies([broker, database], logger, (missing) => reports.push([...missing]), { initialMs: 1, maxMs: 1 });
    expect(broker.checks).toBe(1);
    expect(database.checks).toBe(3);
    expect(reports).toEqual([['broker', 'database'], ['database'], ['database'], []]);
    expect(warnings).toHaveLength(2);
  });

  it('starts without a word when everything answers at once', async () => {
    const { warnings, logs, logger } = recorder();
    await waitForDependencies([flaky('broker', 0), flaky('database', 0)], logger);
    expect(warnings).toEqual([]);
    expect(logs).toEqual([]);
  });
});
