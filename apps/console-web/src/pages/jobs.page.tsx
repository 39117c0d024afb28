import { useState } from 'react';
import { Alert, Anchor, Button, Group, NativeSelect, Switch, Table, Text, Title } from '@mantine/core';
import { apiFetch } from '../api/api-client';
import { JOB_STATUSES, type Job, type List } from '../api/api.types';
import { formatMs, formatTime, shortId } from '../components/format';
import { StatusBadge } from '../components/status-badge';
import { usePoll } from '../components/use-poll';
import { href } from '../router';

const PAGE_SIZE = 20;
const LIVE_MS = 2000;

/**
 * The tenant's jobs, newest first, filtered by status, paginated with the API's `after` cursor. While "Live" is on
 * the page shown is re-read every two seconds, so statuses change and new jobs appear on the first page.
 */
export function JobsPage({ apiKey }: { apiKey: string }) {
  const [status, setStatus] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const [live, setLive] = useState(true);
  const after = cursors[cursors.length - 1];
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (status) query.set('status', status);
  if (after) query.set('after', after);
  const jobs = usePoll((signal) => apiFetch<List<Job>>(apiKey, `v1/jobs?${query}`, { signal }), live ? LIVE_MS : 0, [apiKey, query.toString()]);

  return (
    <>
      <Group justify="space-between" mb="md">
        <Title order={1} size="h2">
          Jobs
        </Title>
        <Group>
          <NativeSelect
            label="Status"
            value={status}
            onChange={(e) => {
              setStatus(e.currentTarget.value);
              setCursors([]);
            }}
            data={[{ label: 'All', value: '' }, ...JOB_STATUSES.map((s) => ({ label: s, value: s }))]}
          />
          <Switch label="Live" checked={live} onChange={(e) => setLive(e.currentTarget.checked)} mt="lg" />
        </Group>
      </Group>
      {jobs.error && (
        <Alert color="red" role="alert" mb="md">
          {jobs.error}
        </Alert>
      )}
      <Table striped highlightOnHover aria-label="Jobs" data-testid="jobs-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Job</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Model</Table.Th>
            <Table.Th scope="col">Priority</Table.Th>
            <Table.Th scope="col">Created</Table.Th>
            <Table.Th scope="col">Queue wait</Table.Th>
            <Table.Th scope="col">Processing</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {jobs.data?.data.map((job) => (
            <Table.Tr key={job.job_id} data-job-id={job.job_id}>
              <Table.Td>
                <Anchor href={href('jobs', job.job_id)} ff="monospace" aria-label={`Job ${job.job_id}`}>
                  {shortId(job.job_id)}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <StatusBadge status={job.status} />
              </Table.Td>
              <Table.Td>{job.model}</Table.Td>
              <Table.Td>{job.priority}</Table.Td>
              <Table.Td>{formatTime(job.created_at)}</Table.Td>
              <Table.Td>{formatMs(job.metrics?.queue_wait_ms)}</Table.Td>
              <Table.Td>{formatMs(job.metrics?.processing_ms)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {jobs.data && jobs.data.data.length === 0 && (
        <Text c="dimmed" mt="md">
          No jobs{status ? ` with status ${status}` : ''} yet.
        </Text>
      )}
      <Group justify="flex-end" mt="md">
        <Button variant="default" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer
        </Button>
        <Button variant="default" disabled={!jobs.data?.has_more} onClick={() => jobs.data?.last_id && setCursors((c) => [...c, jobs.data!.last_id!])}>
          Older
        </Button>
      </Group>
    </>
  );
}
