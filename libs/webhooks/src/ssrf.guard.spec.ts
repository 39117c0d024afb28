import { DestinationGuard, refusedRangeOf, type HostResolver } from './ssrf.guard';

/** A fake DNS: no spec depends on the network. */
const dns = (table: Record<string, string[]>): HostResolver => async (host) => {
  const addresses = table[host];
  if (!addresses) throw new Error(`ENOTFOUND ${host}`);
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

describe('DestinationGuard', () => {
  const guard = new DestinationGuard([], dns({ 'hooks.example.com': ['93.184.215.14'], 'rebind.example.com': ['93.184.215.14', '10.0.0.7'], 'internal.example.com': ['192.168.1.20'] }));

  it.each([
    ['http://127.0.0.1/', 'loopback'],
    ['http://localhost.localdomain/', null],
    ['http://10.1.2.3/', 'private'],
    ['http://172.16.0.1/', 'private'],
    ['http://172.31.255.255/', 'private'],
    ['http://192.168.0.1/', 'private'],
    ['http://169.254.169.254/latest/meta-data/', 'link-local (cloud metadata)'],
    ['http://100.64.0.1/', 'carrier-grade NAT'],
    ['http://0.0.0.0/', 'this network'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://[::1]/', 'IPv4-compatible, unspecified or loopback'],
    ['http://[::]/', 'IPv4-compatible, unspecified or loopback'],
    ['http://[fc00::1]/', 'unique-local'],
    ['http://[fd12:3456::1]/', 'unique-local'],
    ['http://[fe80::1]/', 'link-local'],
    ['http://[::ffff:127.0.0.1]/', 'IPv4-mapped'],
    ['http://[::ffff:a9fe:a9fe]/', 'IPv4-mapped'],
    ['http://2130706433/', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
    ['http://017700000001/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://0x7f000001/', 'loopback'],
    ['http://internal.example.com/', 'private'],
    ['http://rebind.example.com/', 'private'],
  ])('refuses %s', async (url, range) => {
    const verdict = await guard.check(url);
    expect(verdict.ok).toBe(false);
    // `localhost.localdomain` is not in the fake DNS: refused as unresolvable rather than by range.
    expect(verdict).toEqual({ ok: false, reason: range ? `points to a ${range} address` : 'has a host name that does not resolve' });
  });

  it.each([
    ['ftp://hooks.example.com/x', 'must use http or https'],
    ['file:///etc/passwd', 'must use http or https'],
    ['gopher://hooks.example.com/', 'must use http or https'],
    ['not a url', 'is not a valid URL'],
    ['https://user:pw@hooks.example.com/', 'must not carry credentials'],
  ])('refuses %s: %s', async (url, reason) => {
    expect(await guard.check(url)).toEqual({ ok: false, reason });
  });

  it('accepts a public destination and pins the address it checked', async () => {
    const verdict = await guard.check('https://hooks.example.com/conveyor?x=1');
    expect(verdict).toMatchObject({ ok: true, pinned: { address: '93.184.215.14', family: 4 } });
    expect(verdict.ok && verdict.url.hostname).toBe('hooks.example.com');
  });

  it('accepts a public IP literal without resolving it', async () => {
    expect(await guard.check('http://8.8.8.8:8080/')).toMatchObject({ ok: true, pinned: { address: '8.8.8.8' } });
  });

  it('lets the operator allow hosts, addresses and CIDR ranges', async () => {
    const allowing = new DestinationGuard(['LocalHost', '127.0.0.1', '10.20.0.0/16', '::1'], dns({ localhost: ['127.0.0.1'] }));
    expect((await allowing.check('http://localhost:8080/hook')).ok).toBe(true);
    expect((await allowing.check('http://127.0.0.1:9/')).ok).toBe(true);
    expect((await allowing.check('http://10.20.3.4/')).ok).toBe(true);
    expect((await allowing.check('http://[::1]/')).ok).toBe(true);
    expect((await allowing.check('http://10.21.0.1/')).ok).toBe(false);
    expect((await allowing.check('http://169.254.169.254/')).ok).toBe(false);
  });
});

describe('refusedRangeOf', () => {
  it('answers null for public addresses, v4 and v6', () => {
    expect(refusedRangeOf('1.1.1.1')).toBeNull();
    expect(refusedRangeOf('172.32.0.1')).toBeNull();
    expect(refusedRangeOf('2606:4700:4700::1111')).toBeNull();
  });
});
