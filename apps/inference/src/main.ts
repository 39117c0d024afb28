// Telemetry starts before anything else is loaded, so instrumentation can wrap what the app requires.
import { startTelemetry } from '@conveyor/telemetry';
startTelemetry('inference');

import { runService } from '@conveyor/bootstrap';
import { InferenceModule } from './inference.module';

runService('inference', InferenceModule);
