import { startTelemetry } from '@conveyor/telemetry';

startTelemetry('persistence');
