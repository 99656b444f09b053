/**
 * The JVM options a server starts with, as arguments or as ZooKeeper's SERVER_JVMFLAGS (pure). Secret
 * options (the superuser digest) never go on a command line, where any local user reads them in
 * /proc/<pid>/cmdline: they go in a 0600 argument file that the command line names as `@<file>`,
 * which the java launcher (Java 9 or newer) replaces with the options the file holds.
 */
import { JvmOptions } from './types';

export const QUORUM_PEER_MAIN = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';

/** System properties that are secret wherever a caller puts them. */
export const SECRET_PROPERTIES: ReadonlySet<string> = new Set(['zookeeper.DigestAuthenticationProvider.superDigest']);

const option = ([k, v]: [string, string]) => `-D${k}=${v}`;

/** The system properties that may be seen, and the secret ones (`secretProperties`, and any SECRET_PROPERTIES key). */
export function splitProperties(jvm: JvmOptions, extraProperties: Readonly<Record<string, string>> = {}): { open: Array<[string, string]>; secret: Array<[string, string]> } {
  const all = Object.entries({ ...extraProperties, ...(jvm.systemProperties ?? {}) });
  const secret = new Map([...all.filter(([k]) => SECRET_PROPERTIES.has(k)), ...Object.entries(jvm.secretProperties ?? {})]);
  return { open: all.filter(([k]) => !secret.has(k)), secret: [...secret] };
}

/** Whether the options carry a secret, i.e. need an argument file. */
export function hasSecrets(jvm: JvmOptions): boolean {
  return splitProperties(jvm).secret.length > 0;
}

/**
 * `-Xmx<heap>m`, every open system property as `-D<key>=<value>`, then `@<argFile>` when there are
 * secret ones: never a secret itself. `argFile` is required when there are secrets.
 */
export function jvmArgs(jvm: JvmOptions, extraProperties: Readonly<Record<string, string>> = {}, argFile?: string): string[] {
  const { open, secret } = splitProperties(jvm, extraProperties);
  return [`-Xmx${jvm.heapMb}m`, ...open.map(option), ...argFileArgs(secret, argFile)];
}

function argFileArgs(secret: ReadonlyArray<[string, string]>, argFile: string | undefined): string[] {
  if (secret.length === 0) return [];
  if (argFile === undefined) throw new Error(`the JVM options ${secret.map(([k]) => `-D${k}`).join(', ')} are secret and need an argument file; none was given`);
  return [`@${argFile}`];
}

/** The open `-D` options a started process must show on its command line (what an adopted start must pass on). */
export function systemPropertyArgs(jvm: JvmOptions): string[] {
  return splitProperties(jvm).open.map(option);
}

/** The secret `-D` options, as the argument file holds them. */
export function secretPropertyArgs(jvm: JvmOptions): string[] {
  return splitProperties(jvm).secret.map(option);
}

/**
 * The argument file: one option a line, double-quoted with `\` and `"` escaped (the launcher's own
 * syntax), after a comment saying what it is. Written with mode 0600, readable by the server only.
 */
export function renderArgFile(jvm: JvmOptions): string {
  const lines = secretPropertyArgs(jvm).map((a) => {
    if (/[\x00-\x1f\x7f]/.test(a)) throw new Error(`the secret JVM option ${a.split('=')[0]} holds a control character`);
    return `"${a.replace(/[\\"]/g, '\\$&')}"`;
  });
  return ['# Written by zk-rollout: JVM options kept off the command line (the superuser digest). Mode 0600.', ...lines, ''].join('\n');
}

/** The options an argument file in renderArgFile's form holds. */
export function parseArgFile(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => (l.startsWith('"') && l.endsWith('"') ? l.slice(1, -1).replace(/\\(.)/g, '$1') : l));
}

/**
 * The options as one SERVER_JVMFLAGS value: the open ones, and `@<argFile>` for the secret ones.
 * zkServer.sh and init scripts expand it unquoted, so the shell splits it at whitespace and expands
 * globs: an argument that would not survive that is refused (naming it) rather than reaching java as
 * different arguments.
 */
export function serverJvmFlags(jvm: JvmOptions, argFile?: string): string {
  // No -Xmx: an adopted server keeps the heap its own start command gives it (it knows its data size).
  const args = jvmArgs(jvm, {}, argFile).filter((a) => !a.startsWith('-Xmx'));
  const unsafe = args.find((a) => /[\s*?[\]]/.test(a) || a === '');
  if (unsafe !== undefined) {
    throw new Error(`the JVM option ${JSON.stringify(unsafe)} cannot be passed in SERVER_JVMFLAGS: the start script splits it at whitespace and expands * ? [ ]`);
  }
  return args.join(' ');
}
