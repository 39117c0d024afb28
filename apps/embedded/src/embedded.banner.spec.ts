import { loadConfig } from '@conveyor/config';
import { bannerOf } from './embedded.banner';
import type { EmbeddedSystem } from './embedded.launcher';

const system = { url: 'http://localhost:8000', broker: 'in-process', database: 'embedded' } as EmbeddedSystem;

describe('bannerOf', () => {
  it('says it listens on loopback only because the demo keys are enabled', () => {
    const banner = bannerOf(system, loadConfig({}, { embedded: true }));
    expect(banner).toMatch(/demo keys are enabled, so Conveyor listens on loopback \(127\.0\.0\.1\) only/);
    expect(banner).toMatch(/HOST=0\.0\.0\.0/);
  });

  it('says where the web console is', () => {
    expect(bannerOf(system, loadConfig({}, { embedded: true }))).toContain('The web console (sign in with an API key): http://localhost:8000/console');
  });

  it('warns when HOST exposes the demo keys', () => {
    expect(bannerOf(system, loadConfig({ HOST: '0.0.0.0' }, { embedded: true }))).toMatch(/Warning: the well-known demo keys are enabled and HOST=0\.0\.0\.0/);
  });

  it('shows the demo admin key only while it is on', () => {
    expect(bannerOf(system, loadConfig({}, { embedded: true }))).toContain('Authorization: Bearer admin-demo-key-0123456789');
    expect(bannerOf(system, loadConfig({ ADMIN_API_KEYS: 'my-own-admin-key-0001' }, { embedded: true }))).not.toMatch(/admin-demo-key|my-own-admin-key/);
    expect(bannerOf(system, loadConfig({ API_KEYS: 'my-own-key-1:mine' }, { embedded: true }))).not.toContain('/v1/admin');
  });

  it('says nothing of the kind with keys of its own', () => {
    expect(bannerOf(system, loadConfig({ API_KEYS: 'my-own-key-1:mine' }, { embedded: true }))).not.toMatch(/demo keys|Warning/);
  });
});

describe('bannerOf, on the settings key', () => {
  it('says where the generated settings key is, when there is one to tell of', () => {
    expect(bannerOf(system, loadConfig({}, { embedded: true }), 'Provider keys … sealed with the key generated in /x/pgdata.settings-key')).toContain(
      'generated in /x/pgdata.settings-key',
    );
    expect(bannerOf(system, loadConfig({}, { embedded: true }))).not.toContain('Provider keys');
  });
});
