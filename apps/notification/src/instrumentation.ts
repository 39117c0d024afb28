import { startTelemetry } from '@conveyor/telemetry';

startTelemetry('notification');
