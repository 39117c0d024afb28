import { presentDeploymentState } from './deployment-state.presenter';

const DEPLOYMENT = { id: 'openai-a', provider: 'openai' as const, upstream_model: 'gpt-4o-mini', base_url: 'http://10.0.0.1/v1', api_key_env: 'KEY' };

describe('presentDeploymentState', () => {
  it('says configured, and nothing more, for a deployment no recent job called', () => {
    expect(presentDeploymentState(DEPLOYMENT, undefined)).toEqual({
      id: 'openai-a',
      provider: 'openai',
      upstream_model: 'gpt-4o-mini',
      state: 'configured',
      recent: null,
    });
  });

  it('says failing when the latest call failed, ok otherwise, with the counts; never the base URL or key', () => {
    const lastAt = new Date('2026-01-01T00:00:00Z');
    const failing = presentDeploymentState(DEPLOYMENT, { deployment: 'openai-a', calls: 5, errors: 2, lastOutcome: 'error', lastAt, lastError: 'boom' });
    expect(failing).toMatchObject({ state: 'failing', recent: { calls: 5, errors: 2, last_outcome: 'error', last_at: '2026-01-01T00:00:00.000Z' } });
    expect(JSON.stringify(failing)).not.toMatch(/10\.0\.0\.1|KEY|boom/);
    expect(presentDeploymentState(DEPLOYMENT, { deployment: 'openai-a', calls: 1, errors: 0, lastOutcome: 'ok', lastAt, lastError: null }).state).toBe('ok');
  });
});
