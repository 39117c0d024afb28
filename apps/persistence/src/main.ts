// Telemetry starts before anything else is loaded, so instrumentation can wrap what the app requires.
import { startTelemetry } from '@conveyor/telemetry';
startTelemetry('persistence');

import { runService } from '@conveyor/bootstrap';
import { PersistenceModule } from './persistence.module';

runService('persistence', PersistenceModule);
