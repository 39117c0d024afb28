import { startTelemetry } from '@conveyor/telemetry';

startTelemetry('gateway');
