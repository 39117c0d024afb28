// Telemetry starts before anything else is loaded, so instrumentation can wrap what the app requires.
import { startTelemetry } from '@conveyor/telemetry';
startTelemetry('gateway');

import { runService } from '@conveyor/bootstrap';
import { GatewayModule } from './gateway.module';

runService('gateway', GatewayModule);
