/** Client connect strings (pure): what applications put in their ZooKeeper client configuration. */
import { Server } from './types';

export function connectString(servers: readonly Server[]): string {
  return servers.map((s) => `${s.host}:${s.clientPort}`).join(',');
}

/** The servers before a change and after it, each client address once: what clients use while it runs. */
export function transitionalConnectString(before: readonly Server[], after: readonly Server[]): string {
  const union = new Map([...before, ...after].map((s) => [`${s.host}:${s.clientPort}`, s]));
  return connectString([...union.values()]);
}
