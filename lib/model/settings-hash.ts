import { createHash } from 'node:crypto';
import { Settings } from './types';

/**
 * A short fingerprint of the settings a server runs with. A running server whose fingerprint differs
 * from the desired one gets a rolling restart. Key order is fixed so equal settings hash equally.
 */
export function settingsHash(s: Settings): string {
  const canonical = JSON.stringify({
    tickTime: s.tickTime,
    initLimit: s.initLimit,
    syncLimit: s.syncLimit,
    // settings.dataDir is no longer accepted; the key stays so that running servers keep their fingerprint.
    dataDir: null,
    jvmHeapMb: s.jvmHeapMb,
    extra: Object.entries(s.extra).sort(([a], [b]) => a.localeCompare(b)),
    // Only when declared: servers running without TLS keep the fingerprint they had.
    ...(s.tls ? { tls: s.tls } : {}),
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}
