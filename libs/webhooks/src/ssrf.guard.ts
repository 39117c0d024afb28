import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** An address a name resolved to, as `dns.lookup` answers it. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (injectable, so specs need no DNS). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** A checked destination: the URL and the one address to connect to, so a second DNS answer cannot differ. */
export type DestinationVerdict = { ok: true; url: URL; pinned: ResolvedAddress } | { ok: false; reason: string };

const defaultResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/** Ranges no tenant-supplied URL may reach, with the name the refusal gives. IPv4 first, then IPv6. */
const REFUSED_RANGES: ReadonlyArray<[label: string, network: string, prefix: number, family: 'ipv4' | 'ipv6']> = [
  ['this network', '0.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['carrier-grade NAT', '100.64.0.0', 10, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['link-local (cloud metadata)', '169.254.0.0', 16, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['IETF protocol assignments', '192.0.0.0', 24, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['benchmarking', '198.18.0.0', 15, 'ipv4'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['IPv4-compatible, unspecified or loopback', '::', 96, 'ipv6'],
  ['IPv4-mapped', '::ffff:0:0', 96, 'ipv6'],
  ['NAT64', '64:ff9b::', 96, 'ipv6'],
  ['unique-local', 'fc00::', 7, 'ipv6'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['multicast', 'ff00::', 8, 'ipv6'],
];

const REFUSED = REFUSED_RANGES.map(([label, network, prefix, family]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { label, family, list };
});

/**
 * The refused range an IP address falls in, or null when it is a public address. Only ranges of the address's
 * own family are asked: a BlockList matches an IPv4 address against `::ffff:0:0/96` as well.
 */
export function refusedRangeOf(address: string): string | null {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  return REFUSED.find((range) => range.family === family && range.list.check(address, family))?.label ?? null;
}

/**
 * The SSRF guard for tenant-supplied webhook URLs. It accepts http and https only, resolves the host (the
 * WHATWG URL parser has already normalised odd IPv4 spellings such as `2130706433`, `0x7f.1`, `017700000001`
 * and `127.1` to `127.0.0.1`) and refuses the URL if ANY address falls in a refused range, so a name that
 * answers with one public and one private address is refused too. The verdict pins one checked address:
 * the sender connects to it, never resolving the name again, which leaves DNS rebinding nothing to do.
 *
 * `allowedHosts` is the operator's escape hatch (WEBHOOK_ALLOWED_HOSTS): exact host names, IP addresses or
 * CIDR ranges whose destinations are allowed even when private (the tests' loopback receivers).
 */
export class DestinationGuard {
  private readonly allowedNames = new Set<string>();
  private readonly allowedAddresses = new BlockList();

  constructor(
    allowedHosts: readonly string[] = [],
    private readonly resolve: HostResolver = defaultResolver,
  ) {
    for (const entry of allowedHosts) this.allow(entry.trim().toLowerCase());
  }

  async check(rawUrl: string): Promise<DestinationVerdict> {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      return { ok: false, reason: 'is not a valid URL' };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'must use http or https' };
    if (url.username || url.password) return { ok: false, reason: 'must not carry credentials' };
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    let addresses: ResolvedAddress[];
    try {
      addresses = isIP(host) ? [{ address: host, family: isIP(host) === 6 ? 6 : 4 }] : await this.resolve(host);
    } catch {
      return { ok: false, reason: 'has a host name that does not resolve' };
    }
    if (addresses.length === 0) return { ok: false, reason: 'has a host name that does not resolve' };
    if (!this.allowedNames.has(host)) {
      for (const { address, family } of addresses) {
        if (this.allowedAddresses.check(address, family === 6 ? 'ipv6' : 'ipv4')) continue;
        const refused = refusedRangeOf(address);
        if (refused) return { ok: false, reason: `points to a ${refused} address` };
      }
    }
    return { ok: true, url, pinned: addresses[0]! };
  }

  private allow(entry: string): void {
    const [network, prefix] = entry.split('/');
    const family = isIP(network ?? '');
    if (family === 0) {
      this.allowedNames.add(entry);
      return;
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) this.allowedAddresses.addAddress(network!, type);
    else this.allowedAddresses.addSubnet(network!, Number(prefix), type);
  }
}
