// Telemetry starts before anything else is loaded, so instrumentation can wrap what the app requires.
import { startTelemetry } from '@conveyor/telemetry';
startTelemetry('streaming');

import { runService } from '@conveyor/bootstrap';
import { StreamingModule } from './streaming.module';

runService('streaming', StreamingModule);
