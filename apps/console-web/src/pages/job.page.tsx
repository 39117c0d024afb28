import { useCallback, useState } from 'react';
import { Alert, Anchor, Button, Card, Code, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { apiFetch, errorText } from '../api/api-client';
import type { ChatMessage, Job, List } from '../api/api.types';
import { contentText, formatMs, formatTime } from '../components/format';
import { StatusBadge } from '../components/status-badge';
import { useJobStream } from '../components/use-job-stream';
import { usePoll } from '../components/use-poll';
import { href } from '../router';

/** One job: its messages, live token stream, result, metrics and provider attempts, and a cancel button while it can still be cancelled. */
export function JobPage({ apiKey, jobId }: { apiKey: string; jobId: string }) {
  const job = usePoll((signal) => apiFetch<Job>(apiKey, `v1/jobs/${encodeURIComponent(jobId)}`, { signal }), 0, [apiKey, jobId]);
  const messages = usePoll((signal) => apiFetch<List<ChatMessage>>(apiKey, `v1/jobs/${encodeURIComponent(jobId)}/messages`, { signal }), 0, [apiKey, jobId]);
  const reload = job.reload;
  const onEnd = useCallback(() => reload(), [reload]);
  const stream = useJobStream(apiKey, jobId, onEnd);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);

  const cancel = async () => {
    setCancelling(true);
    setCancelError(null);
    try {
      await apiFetch<Job>(apiKey, `v1/jobs/${encodeURIComponent(jobId)}/cancel`, { method: 'POST' });
      reload();
    } catch (e) {
      setCancelError(errorText(e));
    } finally {
      setCancelling(false);
    }
  };

  if (job.error)
    return (
      <Alert color="red" role="alert">
        {job.error}
      </Alert>
    );
  const j = job.data;
  const finished = j && !['queued', 'running'].includes(j.status);
  const resultText = j?.result ? contentText(j.result.choices[0]?.message.content ?? null) : (j?.partial_result?.content ?? null);

  return (
    <Stack>
      <Anchor href={href('jobs')}>← All jobs</Anchor>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Job <Code>{jobId}</Code>
        </Title>
        {j && (
          <Group>
            <StatusBadge status={j.status} />
            <Button color="red" variant="light" onClick={() => void cancel()} loading={cancelling} disabled={!!finished}>
              Cancel job
            </Button>
          </Group>
        )}
      </Group>
      {cancelError && (
        <Alert color="red" role="alert">
          {cancelError}
        </Alert>
      )}
      {j && (
        <SimpleGrid cols={{ base: 2, md: 4 }}>
          <Fact label="Model" value={j.model} />
          <Fact label="Priority" value={j.priority} />
          <Fact label="Created" value={formatTime(j.created_at)} />
          <Fact label="Attempts" value={String(j.attempts)} />
          <Fact label="Queue wait" value={formatMs(j.metrics?.queue_wait_ms)} />
          <Fact label="Processing" value={formatMs(j.metrics?.processing_ms)} />
          <Fact label="Tokens per second" value={j.metrics?.tokens_per_second?.toString() ?? '—'} />
          <Fact label="Usage" value={j.result?.usage ? `${j.result.usage.prompt_tokens} in / ${j.result.usage.completion_tokens} out` : '—'} />
          {j.queue && <Fact label="Queue position" value={`${j.queue.position} (+${j.queue.ahead_in_higher_bands} in higher bands)`} />}
        </SimpleGrid>
      )}
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">
          Messages
        </Title>
        {messages.error && <Text c="red">{messages.error}</Text>}
        <Stack gap="xs">
          {messages.data?.data.map((m, i) => (
            <Text key={i} style={{ whiteSpace: 'pre-wrap' }}>
              <Text span fw={700}>
                {m.role}:
              </Text>{' '}
              {contentText(m.content)}
            </Text>
          ))}
        </Stack>
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">
          Live stream
        </Title>
        <Text size="sm" c="dimmed" aria-live="polite">
          {stream.error ?? `${stream.phase} · ${stream.deltas} deltas`}
        </Text>
        <Text style={{ whiteSpace: 'pre-wrap' }} data-testid="job-stream-text">
          {stream.text}
        </Text>
      </Card>
      {(resultText !== null || j?.error) && (
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            {j?.result ? 'Result' : j?.partial_result ? 'Partial result' : 'Error'}
          </Title>
          {resultText !== null && (
            <Text style={{ whiteSpace: 'pre-wrap' }} data-testid="job-result">
              {resultText}
            </Text>
          )}
          {j?.error && (
            <Text c="red">
              {j.error.code}: {j.error.message}
            </Text>
          )}
        </Card>
      )}
      {j && j.provider_attempts.length > 0 && (
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            Provider attempts
          </Title>
          <Table aria-label="Provider attempts">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Deployment</Table.Th>
                <Table.Th scope="col">Provider</Table.Th>
                <Table.Th scope="col">Upstream model</Table.Th>
                <Table.Th scope="col">Outcome</Table.Th>
                <Table.Th scope="col">Latency</Table.Th>
                <Table.Th scope="col">Error</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {j.provider_attempts.map((a, i) => (
                <Table.Tr key={i}>
                  <Table.Td>{a.deployment}</Table.Td>
                  <Table.Td>{a.provider}</Table.Td>
                  <Table.Td>{a.upstream_model}</Table.Td>
                  <Table.Td>{a.outcome}</Table.Td>
                  <Table.Td>{formatMs(a.latency_ms)}</Table.Td>
                  <Table.Td>{a.error ? `${a.error.status ?? ''} ${a.error.message}` : ''}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      )}
    </Stack>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text>{value}</Text>
    </div>
  );
}
