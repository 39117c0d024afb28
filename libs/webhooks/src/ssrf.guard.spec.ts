import { DestinationGuard, refusedRangeOf, type HostResolver } from './ssrf.guard';

/** A fake DNS: no spec depends on the network. */
const dns =
  (table: Record<string, string[]>): HostResolver =>
  async (host) => {
    const addresses = table[host];
    if (!addresses) throw new Error(`ENOTFOUND ${host}`);
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('DestinationGuard', () => {
  const guard = new DestinationGuard(
    [],
    dns({ 'hooks.example.com': ['93.184.215.14'], 'rebind.example.com': ['93.184.215.14', '10.0.0.7'], 'internal.example.com': ['192.168.1.20'] }),
  );

  it.each([
    ['http://127.0.0.1/', 'loopback'],
    ['http://localhost.localdomain/', null],
    ['http://10.1.2.3/', 'private'],
    ['http://172.16.0.1/', 'private'],
    ['http://172.31.255.255/', 'private'],
    ['http://192.168.0.1/', 'private'],
    ['http://169.254.169.254/latest/meta-data/', 'link-local (cloud metadata lives there)'],
    ['http://100.64.0.1/', 'carrier-grade NAT'],
    ['http://0.0.0.0/', 'unspecified'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://[::1]/', 'loopback'],
    ['http://[::]/', 'unspecified'],
    ['http://[fc00::1]/', 'unique-local'],
    ['http://[fd12:3456::1]/', 'unique-local'],
    ['http://[fe80::1]/', 'link-local (cloud metadata lives there)'],
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

  // Every IANA special-purpose range that is not globally reachable (the registries' tables, 2025), one address each.
  it.each([
    ['0.0.0.1', '0.0.0.0/8 this network'],
    ['192.0.0.8', '192.0.0.0/24 IETF protocol assignments'],
    ['192.0.0.170', '192.0.0.170/32 NAT64/DNS64 discovery'],
    ['192.0.2.1', '192.0.2.0/24 documentation (TEST-NET-1)'],
    ['192.88.99.1', '192.88.99.0/24 deprecated 6to4 relay anycast'],
    ['198.18.0.1', '198.18.0.0/15 benchmarking'],
    ['198.19.255.254', '198.18.0.0/15 benchmarking'],
    ['198.51.100.7', '198.51.100.0/24 documentation (TEST-NET-2)'],
    ['203.0.113.9', '203.0.113.0/24 documentation (TEST-NET-3)'],
    ['240.0.0.1', '240.0.0.0/4 reserved'],
    ['255.255.255.255', 'limited broadcast'],
    ['::2', '::/96 IPv4-compatible (deprecated)'],
    ['::a00:1', '::/96 IPv4-compatible 10.0.0.1'],
    ['64:ff9b:1::1', '64:ff9b:1::/48 local-use translation'],
    ['64:ff9b::a00:1', '64:ff9b::/96 NAT64 of private 10.0.0.1'],
    ['64:ff9b::7f00:1', '64:ff9b::/96 NAT64 of loopback 127.0.0.1'],
    ['100::1', '100::/64 discard-only'],
    ['100:0:0:1::1', '100:0:0:1::/64 dummy prefix'],
    ['2001::1', '2001::/32 Teredo'],
    ['2001:0:4136:e378:8000:63bf:f5ff:fffe', '2001::/32 Teredo embedding 10.0.0.1'],
    ['2001:2::1', '2001:2::/48 benchmarking'],
    ['2001:10::1', '2001:10::/28 deprecated ORCHID'],
    ['2001:100::1', '2001::/23 IETF protocol assignments'],
    ['2001:db8::1', '2001:db8::/32 documentation'],
    ['2002:a00:1::1', '2002::/16 6to4 embedding 10.0.0.1'],
    ['2002:c0a8:101::1', '2002::/16 6to4 embedding 192.168.1.1'],
    ['3fff::1', '3fff::/20 documentation'],
    ['5f00::1', '5f00::/16 SRv6 SIDs'],
    ['fec0::1', 'fec0::/10 deprecated site-local'],
    ['ff02::1', 'ff00::/8 multicast'],
    ['4000::1', 'outside global unicast 2000::/3'],
  ])('refuses %s (%s)', async (address) => {
    const literal = address.includes(':') ? `[${address}]` : address;
    expect(await guard.check(`http://${literal}/`)).toMatchObject({ ok: false, reason: expect.stringMatching(/^points to an? .+ address$/) });
    expect(refusedRangeOf(address, [])).not.toBeNull();
  });

  it.each([
    ['192.31.196.1', 'AS112-v4'],
    ['192.52.193.1', 'AMT'],
    ['192.175.48.1', 'AS112 direct delegation'],
    ['64:ff9b::808:808', 'NAT64 of public 8.8.8.8'],
    ['2001:3::1', 'AMT'],
    ['2001:4:112::1', 'AS112-v6'],
    ['2620:4f:8000::1', 'AS112 direct delegation'],
    ['2a00:1450:4001:82a::200e', 'ordinary global unicast'],
  ])('accepts the globally reachable %s (%s)', (address) => {
    expect(refusedRangeOf(address, [])).toBeNull();
  });

  it("refuses this host's own interface addresses, even public ones", async () => {
    const onHost = new DestinationGuard([], dns({ 'self.example.com': ['93.184.215.14'] }), () => ['93.184.215.14', '2a00:1450::1']);
    expect(await onHost.check('http://self.example.com/')).toEqual({ ok: false, reason: "points to a local (this host's own) address" });
    expect(await onHost.check('http://[2a00:1450:0::0:1]/')).toMatchObject({ ok: false });
    expect(await onHost.check('http://8.8.8.8/')).toMatchObject({ ok: true });
  });

  it('asks the real interfaces by default: loopback and every local address are refused', () => {
    expect(refusedRangeOf('127.0.0.1')).toBe('loopback');
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
