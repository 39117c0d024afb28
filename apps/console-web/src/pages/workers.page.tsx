import { Alert, Card, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { apiFetch } from '../api/api-client';
import { BANDS, type Band } from '../api/api.types';
import { formatTime, shortId } from '../components/format';
import { usePoll } from '../components/use-poll';

interface Workers {
  data: { id: string; slots: number; busy: number; jobs: { job_id: string; tenant: string; started_at: string }[]; started_at: string; last_seen_at: string }[];
  queues: Record<Band, { messages: number; consumers: number }> | null;
}

/** Operator view: the connected inference workers with their slots and current jobs, and the bands' queues. */
export function WorkersPage({ apiKey }: { apiKey: string }) {
  const workers = usePoll((signal) => apiFetch<Workers>(apiKey, 'v1/admin/workers', { signal }), 2000, [apiKey]);
  const w = workers.data;
  return (
    <Stack>
      <Title order={1} size="h2">
        Workers
      </Title>
      {workers.error && (
        <Alert color="red" role="alert">
          {workers.error}
        </Alert>
      )}
      {w?.queues && (
        <SimpleGrid cols={3}>
          {BANDS.map((band) => (
            <Card withBorder key={band}>
              <Text size="xs" c="dimmed">
                {band} band
              </Text>
              <Text>
                {w.queues![band].messages} queued · {w.queues![band].consumers} consumers
              </Text>
            </Card>
          ))}
        </SimpleGrid>
      )}
      <Table aria-label="Workers">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Worker</Table.Th>
            <Table.Th scope="col">Slots</Table.Th>
            <Table.Th scope="col">Busy</Table.Th>
            <Table.Th scope="col">Current jobs</Table.Th>
            <Table.Th scope="col">Started</Table.Th>
            <Table.Th scope="col">Last seen</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {w?.data.map((worker) => (
            <Table.Tr key={worker.id}>
              <Table.Td>{worker.id}</Table.Td>
              <Table.Td>{worker.slots}</Table.Td>
              <Table.Td>{worker.busy}</Table.Td>
              <Table.Td ff="monospace">{worker.jobs.map((j) => `${shortId(j.job_id)} (${j.tenant})`).join(', ') || '—'}</Table.Td>
              <Table.Td>{formatTime(worker.started_at)}</Table.Td>
              <Table.Td>{formatTime(worker.last_seen_at)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {w?.data.length === 0 && <Text c="dimmed">No worker has reported in.</Text>}
    </Stack>
  );
}
