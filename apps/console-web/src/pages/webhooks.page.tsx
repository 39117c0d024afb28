import { useState, type FormEvent } from 'react';
import { Alert, Badge, Button, Card, Checkbox, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { apiFetch, errorText } from '../api/api-client';
import type { List } from '../api/api.types';
import { formatTime } from '../components/format';
import { ShownOnce } from '../components/shown-once';
import { Deliveries } from './webhook-deliveries.panel';
import { usePoll } from '../components/use-poll';

interface Endpoint {
  id: string;
  url: string;
  description: string;
  event_types: string[];
  enabled: boolean;
  disabled_reason: string | null;
  created_at: string;
  secret?: string;
}

const EVENT_TYPES = ['job.completed', 'job.failed', 'job.cancelled', 'job.expired'];

/** The tenant's webhook endpoints (add, enable, delete), and the chosen one's delivery history with replay. */
export function WebhooksPage({ apiKey }: { apiKey: string }) {
  const endpoints = usePoll((signal) => apiFetch<List<Endpoint>>(apiKey, 'v1/webhooks', { signal }), 0, [apiKey]);
  const [selected, setSelected] = useState<string | null>(null);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [types, setTypes] = useState<string[]>(EVENT_TYPES);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      endpoints.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };

  const create = (event: FormEvent) => {
    event.preventDefault();
    void act(async () => {
      const created = await apiFetch<Endpoint>(apiKey, 'v1/webhooks', { method: 'POST', body: { url, description, event_types: types } });
      setSecret(created.secret ?? null);
      setUrl('');
      setDescription('');
    });
  };

  return (
    <Stack>
      <Title order={1} size="h2">
        Webhooks
      </Title>
      {secret && <ShownOnce title="Signing secret of the new endpoint" secret={secret} onDismiss={() => setSecret(null)} />}
      {(error || endpoints.error) && (
        <Alert color="red" role="alert">
          {error ?? endpoints.error}
        </Alert>
      )}
      <Card withBorder>
        <form onSubmit={create}>
          <Stack>
            <Title order={2} size="h4">
              Add an endpoint
            </Title>
            <Group grow align="flex-start">
              <TextInput
                label="URL"
                type="url"
                required
                value={url}
                onChange={(e) => setUrl(e.currentTarget.value)}
                placeholder="https://example.com/hooks/conveyor"
              />
              <TextInput label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
            </Group>
            <Checkbox.Group label="Events" value={types} onChange={setTypes}>
              <Group mt="xs">
                {EVENT_TYPES.map((t) => (
                  <Checkbox key={t} value={t} label={t} />
                ))}
              </Group>
            </Checkbox.Group>
            <Group>
              <Button type="submit" disabled={types.length === 0}>
                Add endpoint
              </Button>
            </Group>
          </Stack>
        </form>
      </Card>
      <Table aria-label="Webhook endpoints">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">URL</Table.Th>
            <Table.Th scope="col">Events</Table.Th>
            <Table.Th scope="col">State</Table.Th>
            <Table.Th scope="col">Created</Table.Th>
            <Table.Th scope="col">Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {endpoints.data?.data.map((e) => (
            <Table.Tr key={e.id} aria-selected={selected === e.id}>
              <Table.Td>
                {e.url}
                {e.description && (
                  <Text size="xs" c="dimmed">
                    {e.description}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{e.event_types.join(', ')}</Table.Td>
              <Table.Td>{e.enabled ? <Badge color="green">enabled</Badge> : <Badge color="red">disabled: {e.disabled_reason}</Badge>}</Table.Td>
              <Table.Td>{formatTime(e.created_at)}</Table.Td>
              <Table.Td>
                <Group gap="xs">
                  <Button size="xs" variant="light" onClick={() => setSelected(e.id)} aria-label={`Deliveries of ${e.url}`}>
                    Deliveries
                  </Button>
                  {!e.enabled && (
                    <Button size="xs" variant="light" onClick={() => void act(() => apiFetch(apiKey, `v1/webhooks/${e.id}/enable`, { method: 'POST' }))}>
                      Enable
                    </Button>
                  )}
                  <Button
                    size="xs"
                    color="red"
                    variant="subtle"
                    aria-label={`Delete ${e.url}`}
                    onClick={() =>
                      window.confirm(`Delete ${e.url} and its delivery history?`) &&
                      void act(async () => {
                        await apiFetch(apiKey, `v1/webhooks/${e.id}`, { method: 'DELETE' });
                        if (selected === e.id) setSelected(null);
                      })
                    }
                  >
                    Delete
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {endpoints.data?.data.length === 0 && <Text c="dimmed">No endpoints yet.</Text>}
      {selected && <Deliveries apiKey={apiKey} endpointId={selected} />}
    </Stack>
  );
}
