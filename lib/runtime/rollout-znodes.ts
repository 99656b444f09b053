/** zk-rollout's own znodes: where they live and who may change them (pure). */

/** Where zk-rollout keeps its own znodes (the lock, the record, barrier and bake writes). */
export const ROLLOUT_ROOT = '/zk-rollout';

/**
 * Readable by anyone, changed only by the rollout's superuser identity: by digest (`super:<hash>`, what
 * the session authenticated as), so that it also holds on servers not (yet) started with that
 * superDigest (an adopted static ensemble before its conversion); where they are, ZooKeeper lets the
 * superuser past every ACL anyway. No client without the password may forge or delete the lock or
 * rewrite the record.
 */
export const superuserOnly = (digest: string) => [
  { perms: 31 /* ALL */, scheme: 'digest', auth: digest },
  { perms: 1 /* READ */, scheme: 'world', auth: 'anyone' },
];
export const underRoot = (path: string) => path === ROLLOUT_ROOT || path.startsWith(`${ROLLOUT_ROOT}/`);
