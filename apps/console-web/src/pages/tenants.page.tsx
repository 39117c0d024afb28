import { useState, type FormEvent } from 'react';
import { Alert, Badge, Button, Card, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { apiFetch, errorText } from '../api/api-client';
import type { List } from '../api/api.types';
import { formatTime } from '../components/format';
import { ShownOnce } from '../components/shown-once';
import { usePoll } from '../components/use-poll';

interface Tenant {
  id: string;
  status: 'active' | 'disabled';
  created_at: string;
  active_keys: number;
}
interface ApiKey {
  id: string;
  name: string | null;
  prefix: string;
  source: 'api' | 'config';
  status: 'active' | 'revoked';
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  key?: string;
}

/** Operator view: tenants (create, disable, enable) and the chosen tenant's API keys (create — shown once —, revoke). */
export function TenantsPage({ apiKey }: { apiKey: string }) {
  const tenants = usePoll((signal) => apiFetch<List<Tenant>>(apiKey, 'v1/admin/tenants?limit=100', { signal }), 0, [apiKey]);
  const [selected, setSelected] = useState<string | null>(null);
  const [newTenant, setNewTenant] = useState('');
  const [error, setError] = useState<string | null>(null);

  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      tenants.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const create = (event: FormEvent) => {
    event.preventDefault();
    void act(async () => {
      await apiFetch(apiKey, 'v1/admin/tenants', { method: 'POST', body: { id: newTenant } });
      setNewTenant('');
    });
  };

  return (
    <Stack>
      <Title order={1} size="h2">
        Tenants and keys
      </Title>
      {(error || tenants.error) && (
        <Alert color="red" role="alert">
          {error ?? tenants.error}
        </Alert>
      )}
      <form onSubmit={create}>
        <Group align="flex-end">
          <TextInput label="New tenant id" required value={newTenant} onChange={(e) => setNewTenant(e.currentTarget.value)} />
          <Button type="submit">Create tenant</Button>
        </Group>
      </form>
      <Table aria-label="Tenants">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Tenant</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Active keys</Table.Th>
            <Table.Th scope="col">Created</Table.Th>
            <Table.Th scope="col">Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tenants.data?.data.map((t) => (
            <Table.Tr key={t.id} data-tenant={t.id}>
              <Table.Td>{t.id}</Table.Td>
              <Table.Td>
                <Badge color={t.status === 'active' ? 'green' : 'red'}>{t.status}</Badge>
              </Table.Td>
              <Table.Td>{t.active_keys}</Table.Td>
              <Table.Td>{formatTime(t.created_at)}</Table.Td>
              <Table.Td>
                <Group gap="xs">
                  <Button size="xs" variant="light" onClick={() => setSelected(t.id)} aria-label={`Keys of ${t.id}`}>
                    Keys
                  </Button>
                  <Button
                    size="xs"
                    variant="subtle"
                    color={t.status === 'active' ? 'red' : 'green'}
                    onClick={() =>
                      void act(() =>
                        apiFetch(apiKey, `v1/admin/tenants/${encodeURIComponent(t.id)}/${t.status === 'active' ? 'disable' : 'enable'}`, { method: 'POST' }),
                      )
                    }
                  >
                    {t.status === 'active' ? 'Disable' : 'Enable'}
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {selected && <Keys apiKey={apiKey} tenant={selected} onChange={tenants.reload} />}
    </Stack>
  );
}

function Keys({ apiKey, tenant, onChange }: { apiKey: string; tenant: string; onChange: () => void }) {
  const keys = usePoll((signal) => apiFetch<List<ApiKey>>(apiKey, `v1/admin/tenants/${encodeURIComponent(tenant)}/keys`, { signal }), 0, [apiKey, tenant]);
  const [name, setName] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      keys.reload();
      onChange();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const create = (event: FormEvent) => {
    event.preventDefault();
    void act(async () => {
      const created = await apiFetch<ApiKey>(apiKey, `v1/admin/tenants/${encodeURIComponent(tenant)}/keys`, { method: 'POST', body: name ? { name } : {} });
      setShown(created.key ?? null);
      setName('');
    });
  };

  return (
    <Card withBorder>
      <Stack>
        <Title order={2} size="h4">
          Keys of {tenant}
        </Title>
        {shown && <ShownOnce title="New API key" secret={shown} onDismiss={() => setShown(null)} />}
        {(error || keys.error) && <Text c="red">{error ?? keys.error}</Text>}
        <form onSubmit={create}>
          <Group align="flex-end">
            <TextInput label="Key name (optional)" value={name} onChange={(e) => setName(e.currentTarget.value)} />
            <Button type="submit">Create key</Button>
          </Group>
        </form>
        <Table aria-label={`Keys of ${tenant}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Prefix</Table.Th>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Source</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Created</Table.Th>
              <Table.Th scope="col">Last used</Table.Th>
              <Table.Th scope="col">Revoke</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {keys.data?.data.map((k) => (
              <Table.Tr key={k.id} data-key-id={k.id}>
                <Table.Td ff="monospace">{k.prefix}</Table.Td>
                <Table.Td>{k.name ?? '—'}</Table.Td>
                <Table.Td>{k.source}</Table.Td>
                <Table.Td>
                  <Badge color={k.status === 'active' ? 'green' : 'gray'}>{k.status}</Badge>
                </Table.Td>
                <Table.Td>{formatTime(k.created_at)}</Table.Td>
                <Table.Td>{formatTime(k.last_used_at)}</Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    color="red"
                    variant="light"
                    disabled={k.status === 'revoked'}
                    aria-label={`Revoke key ${k.prefix}`}
                    onClick={() => void act(() => apiFetch(apiKey, `v1/admin/keys/${k.id}`, { method: 'DELETE' }))}
                  >
                    Revoke
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Stack>
    </Card>
  );
}
