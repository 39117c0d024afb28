import { ModelAccess } from './model-access.util';
import { parseModelCatalog } from './model-catalog.loader';
import type { ModelCatalog } from './model-catalog.schema';

const simulated = (id: string) => [{ id, provider: 'simulated', upstream_model: 'simulated' }];

function catalog(raw: unknown): ModelCatalog {
  const result = parseModelCatalog(raw);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.catalog;
}

const CATALOG = catalog({
  models: [
    { name: 'open', deployments: simulated('d-open') },
    { name: 'alice-only', deployments: simulated('d-alice'), tenants: ['tenant-alice'] },
    { name: 'partners', deployments: simulated('d-partners'), tenants: ['tenant-alice', 'tenant-bob'] },
  ],
  groups: [
    { name: 'everyone', models: ['open', 'alice-only'] },
    { name: 'bob-group', models: ['alice-only'], tenants: ['tenant-bob'] },
  ],
});

describe('ModelAccess (tenant permissions of the catalogue)', () => {
  const access = new ModelAccess(CATALOG);

  it('lets every tenant use an entry without `tenants`', () => {
    expect(access.mayUse('tenant-alice', 'open')).toBe(true);
    expect(access.mayUse('tenant-anyone', 'open')).toBe(true);
    expect(access.mayUse('tenant-anyone', 'everyone')).toBe(true);
  });

  it('lets only the listed tenants use a restricted model or group', () => {
    expect(access.mayUse('tenant-alice', 'alice-only')).toBe(true);
    expect(access.mayUse('tenant-bob', 'alice-only')).toBe(false);
    expect(access.mayUse('tenant-bob', 'partners')).toBe(true);
    expect(access.mayUse('tenant-carol', 'partners')).toBe(false);
    expect(access.mayUse('tenant-bob', 'bob-group')).toBe(true);
    expect(access.mayUse('tenant-alice', 'bob-group')).toBe(false);
  });

  it('grants a group as a whole, even over a model restricted to someone else', () => {
    expect(access.mayUse('tenant-bob', 'alice-only')).toBe(false);
    expect(access.mayUse('tenant-bob', 'bob-group')).toBe(true);
  });

  it('answers false for an unknown name, exactly as for a forbidden one', () => {
    expect(access.mayUse('tenant-alice', 'no-such-model')).toBe(false);
  });

  it('lists what each tenant may use, models first then groups, in catalogue order', () => {
    expect(access.namesFor('tenant-alice')).toEqual(['open', 'alice-only', 'partners', 'everyone']);
    expect(access.namesFor('tenant-bob')).toEqual(['open', 'partners', 'everyone', 'bob-group']);
    expect(access.namesFor('tenant-carol')).toEqual(['open', 'everyone']);
  });

  it('rejects an empty `tenants` list or an empty tenant id in the catalogue', () => {
    const empty = parseModelCatalog({ models: [{ name: 'm', deployments: simulated('d'), tenants: [] }] });
    expect(empty).toEqual({ ok: false, problems: [expect.stringMatching(/^models\[0\]\.tenants: list at least one tenant/)] });
    const blank = parseModelCatalog({ models: [{ name: 'm', deployments: simulated('d') }], groups: [{ name: 'g', models: ['m'], tenants: [''] }] });
    expect(blank).toEqual({ ok: false, problems: ['groups[0].tenants[0]: must not be empty'] });
  });
});
