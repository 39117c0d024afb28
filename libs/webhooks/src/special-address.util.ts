import ipaddr from 'ipaddr.js';

/**
 * Which addresses a tenant-chosen URL may not reach: every IANA special-purpose range that is not globally
 * reachable. The classification is ipaddr.js's `range()`, which follows the IANA IPv4 and IPv6 Special-Purpose
 * Address Registries (https://www.iana.org/assignments/iana-ipv4-special-registry,
 * https://www.iana.org/assignments/iana-ipv6-special-registry) plus multicast, broadcast and the deprecated
 * site-local fec0::/10; what it answers is judged here:
 *
 * - `unicast` is allowed, but for IPv6 only inside 2000::/3, the only space IANA allocates as global unicast
 *   (https://www.iana.org/assignments/ipv6-address-space): the rest is reserved by the IETF (IPv4-compatible
 *   ::/96, the dummy prefix 100:0:0:1::/64 of RFC 9780, …) and reaches nothing on the Internet.
 * - AMT (RFC 7450) and AS112 (RFC 7534, 7535) are globally reachable per the registries, and allowed.
 * - NAT64's well-known prefix 64:ff9b::/96 (RFC 6052) is globally reachable; it stands for the IPv4 address in
 *   its last 32 bits, which is judged instead. Its local-use 64:ff9b:1::/48 (RFC 8215) is not reachable.
 * - Refused although the registry calls them reachable: ORCHIDv2 (RFC 7343) and drone entity tags (RFC 9374),
 *   identifiers rather than locators, and 192.0.0.9/.10 and 2001:1::1–3 (anycast inside the refused 192.0.0.0/24
 *   and 2001::/23): no webhook receiver lives there.
 * - 6to4 (2002::/16, RFC 3056; its relay anycast deprecated by RFC 7526) and Teredo (2001::/32, RFC 4380) embed
 *   IPv4 addresses, possibly private, and reach them through relays: refused whole.
 */
const LABELS: Record<string, string> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local (cloud metadata lives there)',
  loopback: 'loopback',
  carrierGradeNat: 'carrier-grade NAT',
  private: 'private',
  reserved: 'reserved (IETF protocol assignments, documentation, benchmarking or future use)',
  uniqueLocal: 'unique-local',
  ipv4Mapped: 'IPv4-mapped',
  rfc6145: 'IPv4-translated',
  rfc6052: 'local-use IPv4/IPv6 translation',
  '6to4': '6to4 (embeds an IPv4 address)',
  teredo: 'Teredo (embeds an IPv4 address)',
  benchmarking: 'benchmarking',
  deprecatedSiteLocal: 'deprecated site-local',
  discard: 'discard-only',
  deprecatedOrchid: 'deprecated ORCHID',
  orchid2: 'ORCHIDv2 (an identifier, not a locator)',
  droneRemoteIdProtocolEntityTags: 'drone remote ID entity tag (an identifier, not a locator)',
  segmentRouting: 'segment routing (SRv6) SID',
};

const REACHABLE = new Set(['unicast', 'amt', 'as112', 'as112v6']);
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');

/** The name of the refused range an IP address falls in, or null when it is globally reachable. */
export function specialRangeOf(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return 'unparseable';
  }
  const range: string = parsed.range();
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.match(NAT64_WELL_KNOWN)) return specialRangeOf(ipaddr.fromByteArray(v6.toByteArray().slice(12)).toString());
    if (range === 'unicast' && !v6.match(GLOBAL_UNICAST_V6)) return 'reserved by the IETF (outside global unicast 2000::/3)';
  }
  if (REACHABLE.has(range)) return null;
  return LABELS[range] ?? range;
}

/** The canonical text of an address, so two spellings of one IPv6 address compare equal. */
export function normalizedAddress(address: string): string {
  try {
    return ipaddr.parse(address.replace(/%.*$/, '')).toNormalizedString();
  } catch {
    return address;
  }
}
