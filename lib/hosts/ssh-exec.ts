/**
 * Runs shell scripts on a remote host with the OpenSSH client: BatchMode (never a prompt), the key the
 * user names, known-hosts checking on by default, an optional jump host, and one multiplexed
 * connection per host so that a rollout's many small actions do not each pay a handshake. Options
 * end with `--`: nothing after it (the destination, the script) is read as an option.
 */
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SSH_CONNECT_TIMEOUT_SECONDS, SSH_COMMAND_TIMEOUT_MS } from '../model/defaults';
import { childOutput } from './child-output';
import { hostChildEnv, spawnClean } from './clean-spawn';

/**
 * How long to wait for the rest of a command's output after ssh exits. The multiplexing master writes
 * it, and may still be doing so: longer than on this machine, for the link's sake.
 */
const SSH_OUTPUT_GRACE_MS = 5000;

export interface SshTarget {
  /** Address to connect to. */
  readonly address: string;
  /** @default 22 */
  readonly port?: number;
  /** @default the current user */
  readonly user?: string;
  /** Private key file. @default ssh's own choice (~/.ssh/id_*) */
  readonly identityFile?: string;
  /** @default ~/.ssh/known_hosts */
  readonly knownHostsFile?: string;
  /**
   * true: refuse hosts whose key is unknown or changed. false: ssh's `accept-new`, a host seen for the
   * first time is trusted and its key recorded, a changed key is still refused. @default true
   */
  readonly strictHostKeyChecking?: boolean;
  /** `[user@]host[:port]` to jump through (ProxyJump). */
  readonly jumpHost?: string;
  /** @default 10 */
  readonly connectTimeoutSeconds?: number;
}

export class SshError extends Error {
  constructor(readonly target: string, message: string) {
    super(message);
    this.name = 'SshError';
  }
}

export function describeTarget(t: SshTarget): string {
  return `${t.user ? `${t.user}@` : ''}${t.address}:${t.port ?? 22}${t.jumpHost ? ` via ${t.jumpHost}` : ''}`;
}

/** ssh's exit 255 is its own failure (not the remote command's): say which host and what to check. */
export function explainSshFailure(t: SshTarget, stderr: string): string {
  const where = `ssh to ${describeTarget(t)}`;
  const last = stderr.trim().split('\n').filter(Boolean).slice(-1)[0] ?? 'no message';
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed|No \S+ host key is known/i.test(stderr)) {
    return `${where}: host key verification failed; check ${t.knownHostsFile ?? '~/.ssh/known_hosts'} holds this host's current key (a changed key may mean a reinstalled host, or someone in between) (${last})`;
  }
  if (/Permission denied/i.test(stderr)) {
    return `${where}: permission denied; check that user ${t.user ?? '(current user)'} exists there and that the public key of ${t.identityFile ?? 'your default key'} is in its authorized_keys (${last})`;
  }
  if (/Connection refused/i.test(stderr)) return `${where}: connection refused; is sshd running there and listening on port ${t.port ?? 22}? (${last})`;
  if (/timed out|No route to host|Network is unreachable/i.test(stderr)) return `${where}: cannot reach the host; check the address, the port and any firewall in between (${last})`;
  if (/Could not resolve hostname/i.test(stderr)) return `${where}: the host name does not resolve (${last})`;
  if (/Load key|no such identity|bad permissions/i.test(stderr)) return `${where}: cannot use the key ${t.identityFile ?? ''}; check the file exists and is readable only by you (${last})`;
  return `${where}: ${last}`;
}

export interface RemoteResult { readonly code: number; readonly stdout: string; readonly stderr: string }

/**
 * An ssh_config value given with -o: double-quoted (ssh splits unquoted values at whitespace, and a
 * `#` starts a comment), `\\` and `"` escaped, `%` doubled (ssh expands %-tokens in file names).
 */
export function sshConfigValue(value: string): string {
  if (/[\x00-\x1f\x7f]/.test(value)) throw new Error(`${JSON.stringify(value)} cannot be given to ssh: it holds a control character`);
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/%/g, '%%')}"`;
}

export class SshRunner {
  /** Made at first use, removed by close (with the control sockets in it). */
  private controlDir: string | undefined;
  private readonly used = new Set<string>();

  constructor(private readonly timeoutMs = SSH_COMMAND_TIMEOUT_MS) {}

  private controlPath(t: SshTarget): string {
    this.controlDir ??= mkdtempSync(join(tmpdir(), 'zk-ssh-'));
    return join(this.controlDir, `${t.address}-${t.port ?? 22}`);
  }

  args(t: SshTarget): string[] {
    return [
      '-o', 'BatchMode=yes',
      '-o', `StrictHostKeyChecking=${t.strictHostKeyChecking === false ? 'accept-new' : 'yes'}`,
      ...(t.knownHostsFile ? ['-o', `UserKnownHostsFile=${sshConfigValue(t.knownHostsFile)}`] : []),
      // -i checks the file as given but loads it %-expanded, so a name with % goes as -o IdentityFile.
      ...(t.identityFile ? [...(t.identityFile.includes('%') ? ['-o', `IdentityFile=${sshConfigValue(t.identityFile)}`] : ['-i', t.identityFile]), '-o', 'IdentitiesOnly=yes'] : []),
      ...(t.jumpHost ? ['-J', t.jumpHost] : []),
      '-o', `ConnectTimeout=${t.connectTimeoutSeconds ?? DEFAULT_SSH_CONNECT_TIMEOUT_SECONDS}`,
      '-o', 'ControlMaster=auto', '-o', `ControlPath=${sshConfigValue(this.controlPath(t))}`, '-o', 'ControlPersist=30',
      '-o', 'LogLevel=ERROR',
      '-p', String(t.port ?? 22),
      ...(t.user ? ['-l', t.user] : []),
      '--',
      t.address,
    ];
  }

  /** Runs `script` with the remote user's shell; ssh's own failures become an SshError naming the host. */
  run(t: SshTarget, script: string, stdin?: string): Promise<RemoteResult> {
    this.used.add(JSON.stringify(t));
    const child = spawnClean('ssh', [...this.args(t), script], { env: hostChildEnv() });
    child.stdin.on('error', () => { /* the remote side may exit before reading everything; its exit code tells */ });
    child.stdin.end(stdin ?? '');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new SshError(describeTarget(t), `ssh to ${describeTarget(t)}: no answer within ${this.timeoutMs / 1000} s`)); }, this.timeoutMs);
      childOutput(child, SSH_OUTPUT_GRACE_MS).then((r) => {
        clearTimeout(timer);
        if (r.code === 255) reject(new SshError(describeTarget(t), explainSshFailure(t, r.stderr)));
        else resolve(r);
      }, (e: Error) => { clearTimeout(timer); reject(new SshError(describeTarget(t), `cannot run ssh: ${e.message} (install the OpenSSH client)`)); });
    });
  }

  /**
   * Runs `script` with a file as its standard input or its standard output, streamed byte for byte
   * (run() collects text). No overall time limit: a large file takes as long as the link needs.
   */
  transfer(t: SshTarget, script: string, files: { readonly fromLocal?: string; readonly toLocal?: string }, what: string): Promise<void> {
    this.used.add(JSON.stringify(t));
    if (files.toLocal !== undefined) mkdirSync(dirname(files.toLocal), { recursive: true });
    // Keepalives: a link that stalls mid-file ends the transfer (about a minute) instead of hanging it.
    const child = spawnClean('ssh', ['-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=4', ...this.args(t), script], { env: hostChildEnv() });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += String(d); });
    return new Promise((resolve, reject) => {
      let failed: Error | undefined;
      // A local file that cannot be read or written ends the transfer: ssh is stopped, the error reported.
      const fail = (e: Error) => { failed ??= new Error(`${what} on ${describeTarget(t)} failed: ${e.message}`); child.kill('SIGKILL'); };
      let wrote: Promise<void> = Promise.resolve();
      if (files.toLocal !== undefined) {
        const out = createWriteStream(files.toLocal);
        out.on('error', fail);
        wrote = new Promise((r) => { out.once('close', () => r()); });
        child.stdout.pipe(out);
      } else {
        child.stdout.resume();
      }
      child.stdin.on('error', () => { /* the remote side may exit early; its exit code tells */ });
      if (files.fromLocal !== undefined) {
        const input = createReadStream(files.fromLocal);
        input.on('error', fail);
        input.pipe(child.stdin);
      } else {
        child.stdin.end();
      }
      child.once('error', (e) => reject(new SshError(describeTarget(t), `cannot run ssh: ${e.message} (install the OpenSSH client)`)));
      child.once('close', (code) => {
        void wrote.then(() => {
          if (failed) reject(failed);
          else if (code === 255) reject(new SshError(describeTarget(t), explainSshFailure(t, stderr)));
          else if (code !== 0) reject(new Error(`${what} on ${describeTarget(t)} failed (exit ${code}): ${stderr.trim() || 'no message'}`));
          else resolve();
        });
      });
    });
  }

  /** Ends the multiplexed connections this runner opened, and removes its directory of control sockets. */
  async close(): Promise<void> {
    for (const key of this.used) {
      const t = JSON.parse(key) as SshTarget;
      await new Promise<void>((resolve) => {
        const c = spawnClean('ssh', ['-o', `ControlPath=${sshConfigValue(this.controlPath(t))}`, '-O', 'exit', '--', t.address], { env: hostChildEnv() });
        c.stdin.end();
        c.once('exit', () => resolve());
        c.once('error', () => resolve());
      });
    }
    this.used.clear();
    if (this.controlDir !== undefined) rmSync(this.controlDir, { recursive: true, force: true });
    this.controlDir = undefined;
  }

  /** The directory of control sockets, while there is one (tests check it goes away). */
  get controlDirectory(): string | undefined { return this.controlDir; }
}
