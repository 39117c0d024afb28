import { useState } from 'react';
import { AppShell, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { AnalyticsPage } from './pages/analytics.page';
import { AuditPage } from './pages/audit.page';
import { DeadLettersPage } from './pages/dead-letters.page';
import { JobPage } from './pages/job.page';
import { JobsPage } from './pages/jobs.page';
import { PlaygroundPage } from './pages/playground.page';
import { SignInPage } from './pages/sign-in.page';
import { TenantsPage } from './pages/tenants.page';
import { WebhooksPage } from './pages/webhooks.page';
import { WorkersPage } from './pages/workers.page';
import { href, useRoute } from './router';
import { clearSession, loadSession, saveSession, type Session } from './session';

const TENANT_PAGES = [
  { path: 'jobs', label: 'Jobs' },
  { path: 'playground', label: 'Playground' },
  { path: 'analytics', label: 'Analytics' },
  { path: 'webhooks', label: 'Webhooks' },
];
const OPERATOR_PAGES = [
  { path: 'tenants', label: 'Tenants and keys' },
  { path: 'dead-letters', label: 'Dead letters' },
  { path: 'workers', label: 'Workers' },
  { path: 'audit', label: 'Audit log' },
];

/** The console: sign-in, then the tenant's or the operator's pages in a shell with a navigation bar. */
export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [opened, { toggle }] = useDisclosure();
  const route = useRoute();

  if (!session)
    return (
      <SignInPage
        onSignIn={(s) => {
          saveSession(s);
          setSession(s);
          window.location.hash = href(s.scope === 'admin' ? 'tenants' : 'jobs');
        }}
      />
    );

  const pages = session.scope === 'admin' ? OPERATOR_PAGES : TENANT_PAGES;
  const current = pages.some((p) => p.path === route[0]) ? route[0]! : pages[0]!.path;
  const signOut = () => {
    clearSession();
    setSession(null);
    window.location.hash = '';
  };

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 200, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Title order={2} size="h4">
              Conveyor
            </Title>
            <Text size="sm" c="dimmed">
              {session.scope === 'admin' ? `Operator ${session.label}` : 'Tenant view'}
            </Text>
          </Group>
          <Button variant="default" size="xs" onClick={signOut}>
            Sign out
          </Button>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Console pages">
        {pages.map((p) => (
          <NavLink key={p.path} href={href(p.path)} label={p.label} active={current === p.path} aria-current={current === p.path ? 'page' : undefined} />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Page session={session} page={current} rest={route.slice(1)} />
      </AppShell.Main>
    </AppShell>
  );
}

function Page({ session, page, rest }: { session: Session; page: string; rest: string[] }) {
  const key = session.key;
  switch (page) {
    case 'jobs':
      return rest[0] ? <JobPage apiKey={key} jobId={rest[0]} /> : <JobsPage apiKey={key} />;
    case 'playground':
      return <PlaygroundPage apiKey={key} />;
    case 'analytics':
      return <AnalyticsPage apiKey={key} />;
    case 'webhooks':
      return <WebhooksPage apiKey={key} />;
    case 'tenants':
      return <TenantsPage apiKey={key} />;
    case 'dead-letters':
      return <DeadLettersPage apiKey={key} />;
    case 'workers':
      return <WorkersPage apiKey={key} />;
    case 'audit':
      return <AuditPage apiKey={key} />;
    default:
      return null;
  }
}
