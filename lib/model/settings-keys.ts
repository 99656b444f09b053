/** Which extra zoo.cfg keys a user may set (each with the type and range ZooKeeper reads), and which ones this library manages itself. */

/** The largest value of a Java int: ZooKeeper reads these keys with Integer.parseInt or Integer.getInteger. */
export const INT_MAX = 2147483647;

/**
 * How ZooKeeper reads an allowed key: a whole number within `min..max` (`unit` for messages and the
 * README, `note` for what a value means), a boolean (`true`/`false`), or `yes`/`no`.
 */
export type ExtraKeyType =
  | { readonly kind: 'int'; readonly min: number; readonly max: number; readonly unit?: string; readonly note?: string }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'yes-no'; readonly note: string };

/** The most ticks a limit may take: with tickTime at most 60000 ms, ticks × tickTime stays a Java int. */
export const MAX_TICKS = 10000;

const int = (min: number, max: number, unit?: string, note?: string): ExtraKeyType => ({ kind: 'int', min, max, ...(unit ? { unit } : {}), ...(note ? { note } : {}) });

/** Keys that change server behaviour without touching membership, ports or security, with their types. */
export const EXTRA_KEY_TYPES: ReadonlyMap<string, ExtraKeyType> = new Map<string, ExtraKeyType>([
  ['maxClientCnxns', int(0, INT_MAX, 'connections per client address', '0: no limit')],
  ['minSessionTimeout', int(1, INT_MAX, 'ms', 'default 2 × tickTime')],
  ['maxSessionTimeout', int(1, INT_MAX, 'ms', 'default 20 × tickTime')],
  ['globalOutstandingLimit', int(1, INT_MAX, 'requests')],
  ['preAllocSize', int(1, INT_MAX, 'KiB')],
  ['snapCount', int(2, INT_MAX, 'transactions')],
  ['snapSizeLimitInKb', int(0, INT_MAX, 'KiB', '0: no limit')],
  ['commitLogCount', int(500, INT_MAX, 'transactions', 'ZooKeeper uses 500 for anything lower')],
  ['txnLogSizeLimitInKb', int(0, INT_MAX, 'KiB', '0: no limit')],
  ['autopurge.snapRetainCount', int(3, INT_MAX, 'snapshots', 'ZooKeeper keeps at least 3')],
  ['autopurge.purgeInterval', int(0, INT_MAX, 'hours', '0: no purge')],
  ['syncEnabled', { kind: 'boolean' }],
  ['leaderServes', { kind: 'yes-no', note: 'ZooKeeper reads only the exact word no as no' }],
  ['cnxTimeout', int(1, INT_MAX, 'ms')],
  ['electionPortBindRetry', int(0, INT_MAX, 'retries', '0: retry forever')],
  ['fsync.warningthresholdms', int(0, INT_MAX, 'ms')],
  ['maxCnxns', int(0, INT_MAX, 'connections', '0: no limit')],
  ['connectToLearnerMasterLimit', int(0, MAX_TICKS, 'ticks', '0: initLimit')],
]);

export const ALLOWED_EXTRA_KEYS: ReadonlySet<string> = new Set(EXTRA_KEY_TYPES.keys());

/** Keys this library writes itself; setting them through `extra` would break the rollout rules. */
export const MANAGED_KEYS: ReadonlyMap<string, string> = new Map([
  ['tickTime', 'use settings.tickTime'],
  ['initLimit', 'use settings.initLimit'],
  ['syncLimit', 'use settings.syncLimit'],
  ['dataDir', 'the host driver places the data (an adopted server: existing.servers[].run.dataDir)'],
  ['dataLogDir', 'the host driver places the transaction log'],
  ['clientPort', 'use the server\'s clientPort'],
  ['clientPortAddress', 'the client address is the server\'s host'],
  ['dynamicConfigFile', 'the dynamic file is managed per server'],
  ['reconfigEnabled', 'use strategy (dynamic or static)'],
  ['standaloneEnabled', 'use standalone'],
  ['peerType', 'use the server\'s role'],
  ['skipACL', 'reconfig authentication is chosen by the rollout options, not zoo.cfg'],
  ['4lw.commands.whitelist', 'the rollout needs exactly the words it uses'],
  ['admin.enableServer', 'the AdminServer stays off'],
  ['sslQuorum', 'use tls.quorum (it is switched in phases)'],
  ['portUnification', 'use tls.quorum (it is switched in phases)'],
  ['secureClientPort', 'use tls.client and each server\'s secureClientPort'],
  ['serverCnxnFactory', 'tls chooses the connection factory (Netty when TLS is on)'],
]);
