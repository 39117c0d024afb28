import { useState } from 'react';
import { Button, Card, Table, Text, Title } from '@mantine/core';
import { apiFetch, errorText } from '../api/api-client';
import type { List } from '../api/api.types';
import { formatTime, shortId } from '../components/format';
import { usePoll } from '../components/use-poll';

interface Delivery {
  id: string;
  job_id: string;
  event_type: string;
  status: 'pending' | 'succeeded' | 'dead';
  attempt_count: number;
  attempts: { status_code: number | null; latency_ms: number | null; error: string | null; at: string }[];
  dead_reason: string | null;
  created_at: string;
}

/** One endpoint's deliveries, newest first, refreshed every five seconds, each with *Replay* once it has settled. */
export function Deliveries({ apiKey, endpointId }: { apiKey: string; endpointId: string }) {
  const deliveries = usePoll((signal) => apiFetch<List<Delivery>>(apiKey, `v1/webhooks/${endpointId}/deliveries?limit=50`, { signal }), 5000, [
    apiKey,
    endpointId,
  ]);
  const [error, setError] = useState<string | null>(null);
  const replay = async (id: string) => {
    setError(null);
    try {
      await apiFetch(apiKey, `v1/webhooks/${endpointId}/deliveries/${id}/retry`, { method: 'POST' });
      deliveries.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">
        Deliveries
      </Title>
      {(error || deliveries.error) && <Text c="red">{error ?? deliveries.error}</Text>}
      <Table aria-label="Deliveries">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Job</Table.Th>
            <Table.Th scope="col">Event</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Attempts</Table.Th>
            <Table.Th scope="col">Last answer</Table.Th>
            <Table.Th scope="col">Replay</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {deliveries.data?.data.map((d) => {
            const last = d.attempts[d.attempts.length - 1];
            return (
              <Table.Tr key={d.id}>
                <Table.Td ff="monospace">{shortId(d.job_id)}</Table.Td>
                <Table.Td>{d.event_type}</Table.Td>
                <Table.Td>{d.status}</Table.Td>
                <Table.Td>{d.attempt_count}</Table.Td>
                <Table.Td>{last ? `${last.status_code ?? last.error ?? ''} at ${formatTime(last.at)}` : '—'}</Table.Td>
                <Table.Td>
                  <Button size="xs" variant="light" onClick={() => void replay(d.id)} disabled={d.status === 'pending'}>
                    Replay
                  </Button>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {deliveries.data?.data.length === 0 && <Text c="dimmed">No deliveries yet.</Text>}
    </Card>
  );
}
