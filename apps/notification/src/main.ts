// Telemetry starts before anything else is loaded, so instrumentation can wrap what the app requires.
import { startTelemetry } from '@conveyor/telemetry';
startTelemetry('notification');

import { runService } from '@conveyor/bootstrap';
import { NotificationModule } from './notification.module';

runService('notification', NotificationModule);
