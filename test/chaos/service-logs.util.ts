import type { ChaosCluster } from './chaos-cluster.util';
import type { Role } from '../support/cluster.util';

/** The last warning/error lines a service printed, for a failed scenario's details. */
export function logTail(chaos: ChaosCluster, role: Role, lines = 8): string[] {
  const service = chaos.cluster.services.find((s) => s.name === role);
  if (!service) return [];
  return service.logs
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-lines)
    .map((l) => `${role} log: ${l.slice(0, 300)}`);
}
