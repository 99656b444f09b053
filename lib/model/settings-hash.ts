import { createHash } from 'node:crypto';
import { Settings } from './types';

/**
 * A short fingerprint of the settings server `serverId` runs with. A running server whose fingerprint
 * differs from the desired one gets a rolling restart. Key order is fixed so equal settings hash equally.
 * Of the per-server TLS settings only the server's own count: a server joining or leaving restarts no other.
 */
export function settingsHash(s: Settings, serverId?: number): string {
  const canonical = JSON.stringify({
    tickTime: s.tickTime,
    initLimit: s.initLimit,
    syncLimit: s.syncLimit,
    // settings.dataDir is no longer accepted; the key stays so that running servers keep their fingerprint.
    dataDir: null,
    jvmHeapMb: s.jvmHeapMb,
    extra: Object.entries(s.extra).sort(([a], [b]) => a.localeCompare(b)),
    // Only when declared: servers running without TLS keep the fingerprint they had.
    ...(s.tls ? { tls: { ...s.tls, servers: undefined }, tlsServer: serverId !== undefined ? s.tls.servers[String(serverId)] ?? null : null } : {}),
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}
