/** Client connect strings (pure): what applications put in their ZooKeeper client configuration. */
import { Server } from './types';

const address = (s: Server): string => `${s.host}:${s.clientPort}`;

/** Each server's client address once, in order (zk-rollout's own lists and comparisons). */
export function connectString(servers: readonly Server[]): string {
  return servers.map(address).join(',');
}

/**
 * An address list every ZooKeeper client can fail over through. The C client (libzookeeper, and the
 * copy in the `zookeeper` npm package) moves two places along its list for each failed connection
 * (ZOOKEEPER-2466): with an even number of addresses it retries only half of them after losing its
 * server, without pausing, and never reaches the other half. An odd count makes those steps pass
 * every address, so an even list gets `again` (a server that stays) a second time at its end.
 */
function forEveryClient(addresses: readonly string[], again: string): string {
  return (addresses.length % 2 === 0 && addresses.length > 0 ? [...addresses, again] : addresses).join(',');
}

/** What applications are told to use after a change: the servers' addresses, an odd number of entries. */
export function clientConnectString(servers: readonly Server[]): string {
  return transitionalConnectString([], servers);
}

/**
 * The servers before a change and after it, what clients use while it runs: each address once, the
 * first server after the change a second time when the count is even (see forEveryClient).
 */
export function transitionalConnectString(before: readonly Server[], after: readonly Server[]): string {
  const addresses = [...new Set([...before, ...after].map(address))];
  return forEveryClient(addresses, after.length > 0 ? address(after[0]) : addresses[0]);
}
