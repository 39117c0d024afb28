import { Badge } from '@mantine/core';
import type { JobStatus } from '../api/api.types';

const COLORS: Record<JobStatus, string> = {
  queued: 'gray',
  running: 'blue',
  completed: 'green',
  failed: 'red',
  cancelled: 'orange',
  expired: 'yellow',
};

export function StatusBadge({ status }: { status: JobStatus }) {
  return (
    <Badge color={COLORS[status]} variant="light" data-status={status}>
      {status}
    </Badge>
  );
}
