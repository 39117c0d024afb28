import type { CatalogDeployment } from '@conveyor/config';
import type { DeploymentOutcomes } from '@conveyor/database';
import type { DeploymentStateView } from './stats-views.schema';

/** A catalogue deployment with what recent jobs' provider calls said about it (nothing: `configured`). */
export function presentDeploymentState(deployment: CatalogDeployment, outcomes: DeploymentOutcomes | undefined): DeploymentStateView {
  const base = { id: deployment.id, provider: deployment.provider, upstream_model: deployment.upstream_model };
  if (!outcomes) return { ...base, state: 'configured', recent: null };
  return {
    ...base,
    state: outcomes.lastOutcome === 'error' ? 'failing' : 'ok',
    recent: { calls: outcomes.calls, errors: outcomes.errors, last_outcome: outcomes.lastOutcome, last_at: outcomes.lastAt.toISOString() },
  };
}
