/**
 * Superuser credentials for reconfig. They come from the environment or a file, never from the spec,
 * so they appear in no synthesized JSON, Terraform state, log or plan output. ZooKeeper gets only
 * the digest (`super:<base64 sha1>`), as its DigestAuthenticationProvider expects.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface AdminAuth {
  /** `digest` with the superuser, or `skip-acl` when the user opted into skipACL. */
  readonly mode: 'digest' | 'skip-acl';
  readonly user?: string;
  readonly password?: string;
}

export const PASSWORD_ENV = 'ZK_ROLLOUT_SUPER_PASSWORD';
export const PASSWORD_FILE_ENV = 'ZK_ROLLOUT_SUPER_PASSWORD_FILE';

export function superDigest(user: string, password: string): string {
  return `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`;
}

export function loadAdminAuth(opts: { skipAcl?: boolean; passwordFile?: string; env?: NodeJS.ProcessEnv } = {}): AdminAuth {
  if (opts.skipAcl) return { mode: 'skip-acl' };
  const env = opts.env ?? process.env;
  const file = opts.passwordFile ?? env[PASSWORD_FILE_ENV];
  let password = env[PASSWORD_ENV];
  if (file) {
    try {
      password = readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw new Error(`superuser password file ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  }
  if (!password) {
    throw new Error(`reconfig needs the ZooKeeper superuser password: set ${PASSWORD_ENV}, or ${PASSWORD_FILE_ENV} to a file holding it (or opt into skipACL explicitly)`);
  }
  return { mode: 'digest', user: 'super', password };
}

/**
 * JVM system properties a server needs so that the superuser can reconfig it. Secret: the digest is
 * an unsalted SHA-1 of the password, which whoever reads it can guess at offline, so host drivers keep
 * it off command lines (JvmOptions.secretProperties). (The password itself crosses the network in
 * clear at every digest authentication, unless the client port is TLS.)
 */
export function serverAuthProperties(auth: AdminAuth): Record<string, string> {
  return auth.mode === 'digest' ? { 'zookeeper.DigestAuthenticationProvider.superDigest': superDigest(auth.user!, auth.password!) } : {};
}

/**
 * Creates a password file with a random password (mode 0600) when it does not exist. Only for an
 * ensemble that was never started: its servers would otherwise hold the digest of another password.
 * Returns whether it created the file.
 */
export function createPasswordFileIfMissing(path: string, ensembleHasServers: boolean): boolean {
  if (existsSync(path)) return false;
  if (ensembleHasServers) {
    throw new Error(`superuser password file ${path}: no such file, and the ensemble already has servers whose superuser digest needs the original password; restore the file (a new password would lock the rollout out)`);
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  return true;
}
