import { useMemo, useState } from 'react';
import { Alert, Card, Group, NativeSelect, SimpleGrid, Table, Text, Title } from '@mantine/core';
import type { ChartConfiguration } from 'chart.js';
import { apiFetch } from '../api/api-client';
import { BANDS, type Band } from '../api/api.types';
import { ChartView } from '../components/chart';
import { usePoll } from '../components/use-poll';
import { useQueueDepth } from '../components/use-queue-depth';

interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}
interface Analytics {
  series: { at: string; requests: number; completed: number; failed: number; prompt_tokens: number; completion_tokens: number }[];
  bands: { priority: Band; jobs: number; latency_ms: Percentiles; queue_wait_ms: Percentiles }[];
  errors: { model: string; deployment: string; errors: number }[];
}
interface Usage {
  data: { model: string; requests: number; total_tokens: number }[];
  totals: { requests: number; prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

const BAND_COLORS: Record<Band, string> = { high: '#e03131', normal: '#1c7ed6', low: '#868e96' };

/**
 * The tenant's traffic: requests and tokens over time, latency and queue wait per band, provider errors, the
 * priority mix (`GET /v1/analytics/series`), usage per model (`GET /v1/usage`), and the bands' queue depth sampled live
 * from `GET /stats` every two seconds.
 */
export function AnalyticsPage({ apiKey }: { apiKey: string }) {
  const [bucket, setBucket] = useState('minute');
  const analytics = usePoll((signal) => apiFetch<Analytics>(apiKey, `v1/analytics/series?bucket=${bucket}`, { signal }), 10_000, [apiKey, bucket]);
  const usage = usePoll((signal) => apiFetch<Usage>(apiKey, 'v1/usage', { signal }), 10_000, [apiKey]);
  const depth = useQueueDepth(apiKey);
  const a = analytics.data;

  const traffic = useMemo<ChartConfiguration>(() => {
    const labels = a?.series.map((p) => new Date(p.at).toLocaleString()) ?? [];
    return {
      type: 'bar',
      data: {
        labels,
        datasets: [
          { type: 'bar', label: 'Requests', data: a?.series.map((p) => p.requests) ?? [], yAxisID: 'y', backgroundColor: '#1c7ed6' },
          { type: 'bar', label: 'Failed', data: a?.series.map((p) => p.failed) ?? [], yAxisID: 'y', backgroundColor: '#e03131' },
          { type: 'line', label: 'Tokens', data: a?.series.map((p) => p.prompt_tokens + p.completion_tokens) ?? [], yAxisID: 'tokens', borderColor: '#2f9e44' },
        ] as ChartConfiguration['data']['datasets'],
      },
      options: {
        scales: {
          y: { beginAtZero: true, title: { display: true, text: 'requests' } },
          tokens: { position: 'right', beginAtZero: true, title: { display: true, text: 'tokens' } },
        },
      },
    };
  }, [a]);

  const bandChart = (field: 'latency_ms' | 'queue_wait_ms'): ChartConfiguration => ({
    type: 'bar',
    data: {
      labels: BANDS,
      datasets: (['p50', 'p95', 'p99'] as const).map((p, i) => ({
        label: p,
        data: BANDS.map((band) => a?.bands.find((b) => b.priority === band)?.[field][p] ?? 0),
        backgroundColor: ['#74c0fc', '#1c7ed6', '#1864ab'][i],
      })),
    },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'ms' } } } },
  });
  const latency = useMemo(() => bandChart('latency_ms'), [a]);
  const queueWait = useMemo(() => bandChart('queue_wait_ms'), [a]);

  const mix = useMemo<ChartConfiguration>(
    () => ({
      type: 'doughnut',
      data: {
        labels: BANDS,
        datasets: [
          { label: 'Jobs', data: BANDS.map((band) => a?.bands.find((b) => b.priority === band)?.jobs ?? 0), backgroundColor: BANDS.map((b) => BAND_COLORS[b]) },
        ],
      },
    }),
    [a],
  );

  const errors = useMemo<ChartConfiguration>(
    () => ({
      type: 'bar',
      data: {
        labels: a?.errors.map((e) => `${e.model} / ${e.deployment}`) ?? [],
        datasets: [{ label: 'Failed provider calls', data: a?.errors.map((e) => e.errors) ?? [], backgroundColor: '#e03131' }],
      },
      options: { indexAxis: 'y', scales: { x: { beginAtZero: true } } },
    }),
    [a],
  );

  const depthChart = useMemo<ChartConfiguration>(
    () => ({
      type: 'line',
      data: {
        labels: depth.map((d) => d.at),
        datasets: BANDS.map((band) => ({ label: band, data: depth.map((d) => d[band]), borderColor: BAND_COLORS[band], pointRadius: 0 })),
      },
      options: { animation: false, scales: { y: { beginAtZero: true, title: { display: true, text: 'queued messages' } } } },
    }),
    [depth],
  );

  const total = a?.series.reduce((s, p) => s + p.requests, 0) ?? 0;
  const lastDepth = depth[depth.length - 1];

  return (
    <>
      <Group justify="space-between" mb="md">
        <Title order={1} size="h2">
          Analytics
        </Title>
        <NativeSelect
          label="Per"
          value={bucket}
          onChange={(e) => setBucket(e.currentTarget.value)}
          data={[
            { label: 'minute (last hour)', value: 'minute' },
            { label: 'hour (last day)', value: 'hour' },
            { label: 'day (last 30 days)', value: 'day' },
          ]}
        />
      </Group>
      {(analytics.error || usage.error) && (
        <Alert color="red" role="alert" mb="md">
          {analytics.error ?? usage.error}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Panel title="Requests and tokens">
          <ChartView config={traffic} label="Requests and tokens over time" summary={`${total} requests in the window`} />
        </Panel>
        <Panel title="Queue depth per band (live)">
          <ChartView
            config={depthChart}
            label="Queue depth per band"
            summary={lastDepth ? BANDS.map((b) => `${b} ${lastDepth[b]}`).join(', ') : 'waiting for the first sample'}
          />
        </Panel>
        <Panel title="Latency per band (end to end)">
          <ChartView config={latency} label="Latency percentiles per band" summary={describeBands(a, 'latency_ms')} />
        </Panel>
        <Panel title="Queue wait per band">
          <ChartView config={queueWait} label="Queue wait percentiles per band" summary={describeBands(a, 'queue_wait_ms')} />
        </Panel>
        <Panel title="Priority distribution">
          <ChartView config={mix} label="Jobs per band" summary={a?.bands.map((b) => `${b.priority} ${b.jobs}`).join(', ') || 'no jobs'} />
        </Panel>
        <Panel title="Errors by model and deployment">
          {a && a.errors.length === 0 ? (
            <Text c="dimmed">No failed provider calls in the window.</Text>
          ) : (
            <ChartView
              config={errors}
              label="Failed provider calls by model and deployment"
              summary={a?.errors.map((e) => `${e.model}/${e.deployment} ${e.errors}`).join(', ') ?? ''}
            />
          )}
        </Panel>
      </SimpleGrid>
      <Card withBorder mt="md">
        <Title order={2} size="h4" mb="xs">
          Usage per model (all time)
        </Title>
        <Table aria-label="Usage per model">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Model</Table.Th>
              <Table.Th scope="col">Requests</Table.Th>
              <Table.Th scope="col">Tokens</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {usage.data?.data.map((u) => (
              <Table.Tr key={u.model}>
                <Table.Td>{u.model}</Table.Td>
                <Table.Td>{u.requests}</Table.Td>
                <Table.Td>{u.total_tokens}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
    </>
  );
}

function Panel({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">
        {title}
      </Title>
      {children}
    </Card>
  );
}

function describeBands(a: Analytics | null, field: 'latency_ms' | 'queue_wait_ms'): string {
  return a?.bands.map((b) => `${b.priority}: p50 ${b[field].p50 ?? '—'} ms, p95 ${b[field].p95 ?? '—'} ms`).join('; ') || 'no jobs';
}
