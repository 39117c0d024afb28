import { startTelemetry } from '@conveyor/telemetry';

startTelemetry('embedded');
