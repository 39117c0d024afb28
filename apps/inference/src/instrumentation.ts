import { startTelemetry } from '@conveyor/telemetry';

startTelemetry('inference');
