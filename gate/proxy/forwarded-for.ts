/**
 * The client's IP address as our own infrastructure saw it.
 *
 * Each proxy appends the address it received the connection from to X-Forwarded-For, so the
 * rightmost entries are the ones our own CloudFront and ALB wrote and everything to their left is
 * whatever the client chose to send. With `trustedProxyHops` = N, the N-th entry from the right is
 * the address the first of our proxies saw: the client. Entries further left are never read, so a
 * client cannot spoof its way into someone else's rate-limit bucket.
 */
export function clientIpFrom(
  forwardedFor: string | string[] | undefined,
  remoteAddress: string | undefined,
  trustedProxyHops: number,
): string {
  const socketAddress = normalizedSocketAddress(remoteAddress ?? '');
  if (trustedProxyHops === 0 || forwardedFor === undefined) return socketAddress;
  // Several X-Forwarded-For headers are one list, in order (RFC 7230 §3.2.2).
  const joined = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  const hops = joined.split(',');
  // Fewer entries than our own proxies append: the request did not come through them, so the
  // header is entirely the client's word; only the socket is trustworthy.
  if (hops.length < trustedProxyHops) return socketAddress;
  const candidate = normalizeAddress(hops[hops.length - trustedProxyHops].trim());
  return candidate || socketAddress;
}

// Behind a load balancer every request arrives from one of a handful of addresses: the last
// one's normalized form is kept so each request does not run the two regular expressions again.
let lastSocketAddress = '';
let lastSocketAddressNormalized = 'unknown';

function normalizedSocketAddress(address: string): string {
  if (address !== lastSocketAddress) {
    lastSocketAddressNormalized = normalizeAddress(address) || 'unknown';
    lastSocketAddress = address;
  }
  return lastSocketAddressNormalized;
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are the same client; bracketed or ported forms are reduced to the address. */
function normalizeAddress(address: string): string {
  let value = address;
  if (value.startsWith('[')) value = value.slice(1, value.indexOf(']') > 0 ? value.indexOf(']') : undefined);
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(':'));
  if (value.startsWith('::ffff:') && value.includes('.')) value = value.slice(7);
  // Anything that is not plausibly an address (letters other than hex, spaces) is not trusted as a key.
  return /^[0-9a-fA-F:.]{2,45}$/.test(value) ? value.toLowerCase() : '';
}
