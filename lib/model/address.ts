/** Server addresses: which spellings are accepted, and when two name the same machine. */

const HOST_RE = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * Why `host` cannot be a server's (or a machine's) address, or undefined when it can: a host name, or an
 * IPv4 address written as four decimal numbers 0..255. A name whose last label is a number is an address
 * to the resolver (`127.1`, `2130706433` and `0x7f.0.0.1` all mean 127.0.0.1): only the dotted form is
 * taken, so one address has one spelling. The wildcard (`0.0.0.0`, `0`) and multicast addresses are not
 * addresses a server can be reached at.
 */
export function hostProblem(host: string): string | undefined {
  if (!HOST_RE.test(host)) return 'must be a host name or IPv4 address';
  const labels = host.split('.');
  if (!/^(\d+|0x[0-9a-f]*)$/i.test(labels[labels.length - 1])) return undefined;
  if (labels.every((l) => /^(0+|0x0*)$/i.test(l))) return `${host} is the wildcard address (0.0.0.0), which names no machine to connect to; give the address the server is reached at`;
  if (labels.length !== 4 || !labels.every((l) => /^(0|[1-9]\d{0,2})$/.test(l) && Number(l) <= 255)) {
    return `must be a host name or IPv4 address: ${host} is a number, so it must be four decimal numbers 0..255 without leading zeros`;
  }
  const first = Number(labels[0]);
  if (first === 0) return `${host} is in 0.0.0.0/8, which names no machine; give the address the server is reached at`;
  if (first >= 224) return `${host} is a multicast or reserved address, not one a server can be reached at`;
  return undefined;
}

/** The address two names share, for collisions: names are case-insensitive, and localhost is 127.0.0.1. */
export function addressKey(host: string): string {
  const h = host.toLowerCase();
  return h === 'localhost' ? '127.0.0.1' : h;
}
