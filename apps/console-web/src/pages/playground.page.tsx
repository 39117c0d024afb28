import { useCallback, useState, type FormEvent } from 'react';
import { Alert, Anchor, Button, Card, Group, NativeSelect, Stack, Text, Textarea, Title } from '@mantine/core';
import { apiFetch, errorText } from '../api/api-client';
import { BANDS, type List } from '../api/api.types';
import { shortId } from '../components/format';
import { useJobStream } from '../components/use-job-stream';
import { usePoll } from '../components/use-poll';
import { href } from '../router';

interface Turn {
  role: 'user' | 'assistant';
  content: string;
  jobId?: string;
  outcome?: string;
}

/**
 * A chat through the queue: each message becomes a job (`POST /v1/chat/completions` with the model or group and the
 * band chosen), whose tokens arrive on the job's stream. Stop cancels the job; the conversation keeps what arrived.
 */
export function PlaygroundPage({ apiKey }: { apiKey: string }) {
  const models = usePoll((signal) => apiFetch<List<{ id: string }>>(apiKey, 'v1/models', { signal }), 0, [apiKey]);
  const [model, setModel] = useState('');
  const [priority, setPriority] = useState('normal');
  const [draft, setDraft] = useState('');
  const [turns, setTurns] = useState<Turn[]>([]);
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const chosenModel = model || models.data?.data[0]?.id || '';

  const onEnd = useCallback((phase: string) => {
    setTurns((t) => t.map((turn, i) => (i === t.length - 1 ? { ...turn, outcome: phase } : turn)));
  }, []);
  const stream = useJobStream(apiKey, jobId, onEnd);
  const running = jobId !== null && !stream.ended && !stream.error;

  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft.trim()) return;
    setSending(true);
    setError(null);
    const history = [...finishedTurns(turns, stream.text), { role: 'user' as const, content: draft }];
    try {
      const job = await apiFetch<{ job_id: string }>(apiKey, 'v1/chat/completions', {
        method: 'POST',
        body: { model: chosenModel, priority, messages: history.map(({ role, content }) => ({ role, content })) },
      });
      setTurns([...history, { role: 'assistant', content: '', jobId: job.job_id }]);
      setJobId(job.job_id);
      setDraft('');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setSending(false);
    }
  };

  const stop = async () => {
    if (!jobId) return;
    try {
      await apiFetch(apiKey, `v1/jobs/${encodeURIComponent(jobId)}/cancel`, { method: 'POST' });
    } catch (e) {
      setError(errorText(e));
    }
  };

  const shown = turns.map((turn, i) => (i === turns.length - 1 && turn.jobId === jobId ? { ...turn, content: stream.text } : turn));

  return (
    <Stack>
      <Title order={1} size="h2">
        Playground
      </Title>
      <Card withBorder mih={200}>
        <Stack gap="sm" aria-live="polite" data-testid="conversation">
          {shown.length === 0 && <Text c="dimmed">Send a message to start a conversation.</Text>}
          {shown.map((turn, i) => (
            <div key={i} data-role={turn.role}>
              <Group gap="xs">
                <Text fw={700}>{turn.role === 'user' ? 'You' : 'Assistant'}</Text>
                {turn.jobId && (
                  <Anchor href={href('jobs', turn.jobId)} size="sm" ff="monospace" data-testid="playground-job-link">
                    job {shortId(turn.jobId)}
                  </Anchor>
                )}
                {turn.jobId === jobId && (
                  <Text size="sm" c="dimmed" data-testid="playground-phase">
                    {stream.error ?? `${stream.phase} · ${stream.deltas} deltas`}
                  </Text>
                )}
                {turn.outcome && turn.jobId !== jobId && (
                  <Text size="sm" c="dimmed">
                    {turn.outcome}
                  </Text>
                )}
              </Group>
              <Text style={{ whiteSpace: 'pre-wrap' }} data-testid={turn.role === 'assistant' ? 'assistant-text' : undefined}>
                {turn.content}
              </Text>
            </div>
          ))}
        </Stack>
      </Card>
      {(error || models.error) && (
        <Alert color="red" role="alert">
          {error ?? models.error}
        </Alert>
      )}
      <form onSubmit={(e) => void send(e)}>
        <Stack>
          <Group grow>
            <NativeSelect
              label="Model or group"
              value={chosenModel}
              onChange={(e) => setModel(e.currentTarget.value)}
              data={models.data?.data.map((m) => m.id) ?? []}
            />
            <NativeSelect label="Priority" value={priority} onChange={(e) => setPriority(e.currentTarget.value)} data={BANDS} />
          </Group>
          <Textarea
            label="Message"
            value={draft}
            onChange={(e) => setDraft(e.currentTarget.value)}
            autosize
            minRows={2}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(e);
            }}
            description="Ctrl+Enter sends."
          />
          <Group>
            <Button type="submit" loading={sending} disabled={running || !chosenModel}>
              Send
            </Button>
            <Button type="button" color="red" variant="light" onClick={() => void stop()} disabled={!running}>
              Stop
            </Button>
            <Button type="button" variant="default" onClick={() => (setTurns([]), setJobId(null))} disabled={running}>
              New conversation
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}

/** The conversation so far as messages, with the last answer's streamed text in place. */
function finishedTurns(turns: Turn[], lastText: string): Turn[] {
  return turns.map((t, i) => (i === turns.length - 1 && t.role === 'assistant' ? { ...t, content: lastText } : t)).filter((t) => t.content !== '');
}
