// Telemetry starts before anything else is loaded, so instrumentation can wrap what the app requires.
import { startTelemetry } from '@conveyor/telemetry';
startTelemetry('embedded');

import { runEmbedded } from './embedded.runner';

void runEmbedded();
