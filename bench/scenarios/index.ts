import type { Scenario } from '../support/bench.types';
import { admissionScenario } from './admission.scenario';
import { batchingScenario } from './batching.scenario';
import { costScenario } from './cost.scenario';
import { endToEndScenario } from './end-to-end.scenario';
import { latencyScenario } from './latency.scenario';
import { profileScenario } from './profile.scenario';
import { scaleOutScenario } from './scale-out.scenario';
import { streamingScenario } from './streaming.scenario';
import { submitDrainingScenario } from './submit-draining.scenario';
import { submitScenario } from './submit.scenario';

/** Every scenario, in the order `npm run bench` runs them. */
export const SCENARIOS: readonly Scenario[] = [
  latencyScenario,
  submitScenario,
  endToEndScenario,
  streamingScenario,
  scaleOutScenario,
  costScenario,
  admissionScenario,
  submitDrainingScenario,
  batchingScenario,
  profileScenario,
];
