import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { normalizedAddress, specialRangeOf } from './special-address.util';

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

/** This host's own addresses, every interface's: a webhook must never call back into the machine that sends it. */
export function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
}

/**
 * Why an IP address is refused, or null when a webhook may reach it: a special-purpose range that is not
 * globally reachable (see specialRangeOf), or one of this host's own addresses.
 */
export function refusedRangeOf(address: string, ownAddresses: readonly string[] = interfaceAddresses()): string | null {
  const special = specialRangeOf(address);
  if (special) return special;
  const normalized = normalizedAddress(address);
  return ownAddresses.some((own) => normalizedAddress(own) === normalized) ? "local (this host's own)" : null;
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
    private readonly ownAddresses: () => readonly string[] = interfaceAddresses,
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
      const own = this.ownAddresses();
      for (const { address, family } of addresses) {
        if (this.allowedAddresses.check(address, family === 6 ? 'ipv6' : 'ipv4')) continue;
        const refused = refusedRangeOf(address, own);
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
