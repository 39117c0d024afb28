import { useState } from 'react';
import { Alert, Button, Code, Group, Stack, Table, Text, Title } from '@mantine/core';
import { apiFetch } from '../api/api-client';
import type { List } from '../api/api.types';
import { formatTime } from '../components/format';
import { usePoll } from '../components/use-poll';

interface AuditEntry {
  id: string;
  at: string;
  admin_id: string;
  action: string;
  target: { type: string; id: string };
  details: Record<string, unknown>;
}

const PAGE_SIZE = 50;

/** Operator view: every admin action (who, what, when), newest first. */
export function AuditPage({ apiKey }: { apiKey: string }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors[cursors.length - 1];
  const entries = usePoll(
    (signal) => apiFetch<List<AuditEntry>>(apiKey, `v1/admin/audit?limit=${PAGE_SIZE}${after ? `&after=${encodeURIComponent(after)}` : ''}`, { signal }),
    5000,
    [apiKey, after],
  );
  return (
    <Stack>
      <Title order={1} size="h2">
        Audit log
      </Title>
      {entries.error && (
        <Alert color="red" role="alert">
          {entries.error}
        </Alert>
      )}
      <Table aria-label="Audit log">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">When</Table.Th>
            <Table.Th scope="col">Admin</Table.Th>
            <Table.Th scope="col">Action</Table.Th>
            <Table.Th scope="col">Target</Table.Th>
            <Table.Th scope="col">Details</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entries.data?.data.map((e) => (
            <Table.Tr key={e.id} data-action={e.action}>
              <Table.Td>{formatTime(e.at)}</Table.Td>
              <Table.Td ff="monospace">{e.admin_id}</Table.Td>
              <Table.Td>{e.action}</Table.Td>
              <Table.Td>
                {e.target.type} <Code>{e.target.id}</Code>
              </Table.Td>
              <Table.Td>
                <Code>{JSON.stringify(e.details)}</Code>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {entries.data?.data.length === 0 && <Text c="dimmed">No admin action recorded yet.</Text>}
      <Group justify="flex-end">
        <Button variant="default" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer
        </Button>
        <Button variant="default" disabled={!entries.data?.has_more} onClick={() => entries.data?.last_id && setCursors((c) => [...c, entries.data!.last_id!])}>
          Older
        </Button>
      </Group>
    </Stack>
  );
}
