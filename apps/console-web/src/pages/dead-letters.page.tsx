import { useState } from 'react';
import { Alert, Badge, Button, Card, Code, Group, NativeSelect, Stack, Table, Text, Title } from '@mantine/core';
import { apiFetch, errorText } from '../api/api-client';
import type { List } from '../api/api.types';
import { formatTime, shortId } from '../components/format';
import { usePoll } from '../components/use-poll';

interface DeadLetter {
  id: string;
  job_id: string;
  tenant: string;
  priority: string;
  queue: string;
  reason: string;
  headers: Record<string, unknown>;
  state: 'dead' | 'replayed' | 'discarded';
  dead_at: string;
  job_status: string | null;
  message?: unknown;
}

/** Operator view: dead-lettered job messages, each with its reason and headers; replay into its band, or discard. */
export function DeadLettersPage({ apiKey }: { apiKey: string }) {
  const [state, setState] = useState('dead');
  const letters = usePoll((signal) => apiFetch<List<DeadLetter>>(apiKey, `v1/admin/dead-letters?limit=50${state ? `&state=${state}` : ''}`, { signal }), 5000, [
    apiKey,
    state,
  ]);
  const [inspected, setInspected] = useState<DeadLetter | null>(null);
  const [error, setError] = useState<string | null>(null);

  const act = async (id: string, action: 'replay' | 'discard') => {
    setError(null);
    try {
      await apiFetch(apiKey, `v1/admin/dead-letters/${id}/${action}`, { method: 'POST' });
      letters.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const inspect = async (id: string) => {
    try {
      setInspected(await apiFetch<DeadLetter>(apiKey, `v1/admin/dead-letters/${id}`));
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Dead letters
        </Title>
        <NativeSelect
          label="State"
          value={state}
          onChange={(e) => setState(e.currentTarget.value)}
          data={[
            { label: 'Dead', value: 'dead' },
            { label: 'Replayed', value: 'replayed' },
            { label: 'Discarded', value: 'discarded' },
            { label: 'All', value: '' },
          ]}
        />
      </Group>
      {(error || letters.error) && (
        <Alert color="red" role="alert">
          {error ?? letters.error}
        </Alert>
      )}
      <Table aria-label="Dead letters">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Job</Table.Th>
            <Table.Th scope="col">Tenant</Table.Th>
            <Table.Th scope="col">Band</Table.Th>
            <Table.Th scope="col">Reason</Table.Th>
            <Table.Th scope="col">Dead at</Table.Th>
            <Table.Th scope="col">State</Table.Th>
            <Table.Th scope="col">Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {letters.data?.data.map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td ff="monospace">{shortId(d.job_id)}</Table.Td>
              <Table.Td>{d.tenant}</Table.Td>
              <Table.Td>{d.priority}</Table.Td>
              <Table.Td>{d.reason}</Table.Td>
              <Table.Td>{formatTime(d.dead_at)}</Table.Td>
              <Table.Td>
                <Badge variant="light">{d.state}</Badge>{' '}
                {d.job_status && (
                  <Text span size="xs">
                    job {d.job_status}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Group gap="xs">
                  <Button size="xs" variant="default" onClick={() => void inspect(d.id)}>
                    Inspect
                  </Button>
                  <Button size="xs" variant="light" disabled={d.state !== 'dead'} onClick={() => void act(d.id, 'replay')}>
                    Replay
                  </Button>
                  <Button size="xs" variant="subtle" color="red" disabled={d.state !== 'dead'} onClick={() => void act(d.id, 'discard')}>
                    Discard
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {letters.data?.data.length === 0 && <Text c="dimmed">No dead letters{state ? ` in state ${state}` : ''}.</Text>}
      {inspected && (
        <Card withBorder>
          <Group justify="space-between">
            <Title order={2} size="h4">
              Dead letter of job {inspected.job_id}
            </Title>
            <Button size="xs" variant="default" onClick={() => setInspected(null)}>
              Close
            </Button>
          </Group>
          <Text fw={700} mt="sm">
            Headers
          </Text>
          <Code block>{JSON.stringify(inspected.headers, null, 2)}</Code>
          <Text fw={700} mt="sm">
            Message
          </Text>
          <Code block>{JSON.stringify(inspected.message, null, 2)}</Code>
        </Card>
      )}
    </Stack>
  );
}
