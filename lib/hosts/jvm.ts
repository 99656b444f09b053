/** The JVM options a server starts with, as arguments or as ZooKeeper's SERVER_JVMFLAGS (pure). */
import { JvmOptions } from './types';

export const QUORUM_PEER_MAIN = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';

/** `-Xmx<heap>m` then every system property as `-D<key>=<value>`, one argument each. */
export function jvmArgs(jvm: JvmOptions, extraProperties: Readonly<Record<string, string>> = {}): string[] {
  const props = Object.entries({ ...extraProperties, ...(jvm.systemProperties ?? {}) }).map(([k, v]) => `-D${k}=${v}`);
  return [`-Xmx${jvm.heapMb}m`, ...props];
}

/** The `-D` options a started process must show on its command line (what an adopted start must pass on). */
export function systemPropertyArgs(jvm: JvmOptions): string[] {
  return Object.entries(jvm.systemProperties ?? {}).map(([k, v]) => `-D${k}=${v}`);
}

/**
 * The options as one SERVER_JVMFLAGS value. zkServer.sh and init scripts expand it unquoted, so the
 * shell splits it at whitespace and expands globs: an argument that would not survive that is refused
 * (naming it) rather than reaching java as different arguments.
 */
export function serverJvmFlags(jvm: JvmOptions): string {
  // No -Xmx: an adopted server keeps the heap its own start command gives it (it knows its data size).
  const args = jvmArgs(jvm).filter((a) => !a.startsWith('-Xmx'));
  const unsafe = args.find((a) => /[\s*?[\]]/.test(a) || a === '');
  if (unsafe !== undefined) {
    throw new Error(`the JVM option ${JSON.stringify(unsafe)} cannot be passed in SERVER_JVMFLAGS: the start script splits it at whitespace and expands * ? [ ]`);
  }
  return args.join(' ');
}
