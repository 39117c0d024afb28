import { startTelemetry } from '@conveyor/telemetry';

startTelemetry('streaming');
