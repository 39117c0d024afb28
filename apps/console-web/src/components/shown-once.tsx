import { Alert, Button, Code, CopyButton, Group, Text } from '@mantine/core';

/**
 * A secret the API returns exactly once (a new webhook secret, a new API key): shown in this one notice until it is
 * dismissed, then dropped from memory. The console never reads a secret back from the API, which never returns it again.
 */
export function ShownOnce({ title, secret, onDismiss }: { title: string; secret: string; onDismiss: () => void }) {
  return (
    <Alert color="yellow" title={title} role="status" data-testid="shown-once">
      <Text size="sm" mb="xs">
        Copy it now: it will not be shown again.
      </Text>
      <Group>
        <Code data-testid="shown-once-secret">{secret}</Code>
        <CopyButton value={secret}>
          {({ copied, copy }) => (
            <Button size="xs" variant="light" onClick={copy}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
        <Button size="xs" variant="default" onClick={onDismiss}>
          Done
        </Button>
      </Group>
    </Alert>
  );
}
