import { useState, type FormEvent } from 'react';
import { Alert, Button, Card, PasswordInput, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { ApiError, apiFetch, errorText } from '../api/api-client';
import type { Scope, Session } from '../session';

/**
 * Sign in with a tenant key or an admin key. The key is checked against the gateway before it is kept (in this
 * tab's sessionStorage only); the field is cleared either way, and the key is never shown again.
 */
export function SignInPage({ onSignIn }: { onSignIn: (session: Session) => void }) {
  const [scope, setScope] = useState<Scope>('tenant');
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignIn({ key, scope, label: await identify(key, scope) });
    } catch (e) {
      setError(e instanceof ApiError && e.status === 403 ? `This is not ${scope === 'admin' ? 'an admin' : 'a tenant'} key.` : errorText(e));
    } finally {
      setKey('');
      setBusy(false);
    }
  };

  return (
    <Card withBorder maw={420} mx="auto" mt={80} padding="lg">
      <form onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title">
        <Stack>
          <Title order={1} size="h3" id="sign-in-title">
            Conveyor console
          </Title>
          <SegmentedControl
            value={scope}
            onChange={(v) => setScope(v as Scope)}
            aria-label="Sign in as"
            data={[
              { label: 'Tenant', value: 'tenant' },
              { label: 'Operator', value: 'admin' },
            ]}
          />
          <PasswordInput
            label={scope === 'admin' ? 'Admin key' : 'API key'}
            description="Kept in this tab only, until you sign out or close it."
            value={key}
            onChange={(e) => setKey(e.currentTarget.value)}
            required
            autoComplete="off"
            data-autofocus
          />
          {error && (
            <Alert color="red" role="alert" title="Sign-in failed">
              {error}
            </Alert>
          )}
          <Button type="submit" loading={busy}>
            Sign in
          </Button>
          <Text size="xs" c="dimmed">
            Tenant keys see their own jobs, playground, analytics and webhooks; admin keys see tenants, keys, dead letters and workers.
          </Text>
        </Stack>
      </form>
    </Card>
  );
}

/** Asks the gateway who the key belongs to: the tenant's first model list answers for tenant keys, whoami for admin keys. */
async function identify(key: string, scope: Scope): Promise<string> {
  if (scope === 'admin') {
    const me = await apiFetch<{ id: string }>(key, 'v1/admin/whoami');
    return me.id;
  }
  await apiFetch(key, 'v1/models');
  return 'tenant';
}
