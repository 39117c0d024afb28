import type { Scenario } from '../support/bench.types';
import { costScenario } from './cost.scenario';
import { endToEndScenario } from './end-to-end.scenario';
import { latencyScenario } from './latency.scenario';
import { scaleOutScenario } from './scale-out.scenario';
import { streamingScenario } from './streaming.scenario';
import { submitScenario } from './submit.scenario';

/** Every scenario, in the order `npm run bench` runs them (ids a–f follow issue 6). */
export const SCENARIOS: readonly Scenario[] = [latencyScenario, submitScenario, endToEndScenario, streamingScenario, scaleOutScenario, costScenario];
