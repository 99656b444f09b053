/** Which extra zoo.cfg keys a user may set, and which ones this library manages itself. */

/** Keys that change server behaviour without touching membership, ports or security. */
export const ALLOWED_EXTRA_KEYS: ReadonlySet<string> = new Set([
  'maxClientCnxns',
  'minSessionTimeout',
  'maxSessionTimeout',
  'globalOutstandingLimit',
  'preAllocSize',
  'snapCount',
  'snapSizeLimitInKb',
  'commitLogCount',
  'txnLogSizeLimitInKb',
  'autopurge.snapRetainCount',
  'autopurge.purgeInterval',
  'syncEnabled',
  'leaderServes',
  'cnxTimeout',
  'electionPortBindRetry',
  'fsync.warningthresholdms',
  'maxCnxns',
  'connectToLearnerMasterLimit',
]);

/** Keys this library writes itself; setting them through `extra` would break the rollout rules. */
export const MANAGED_KEYS: ReadonlyMap<string, string> = new Map([
  ['tickTime', 'use settings.tickTime'],
  ['initLimit', 'use settings.initLimit'],
  ['syncLimit', 'use settings.syncLimit'],
  ['dataDir', 'use settings.dataDir'],
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
]);
