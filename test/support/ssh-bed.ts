/**
 * A multi-host test bed on one machine: a real sshd (Debian's openssh-server) started by the test on
 * a loopback port with generated keys, and "hosts" 127.0.1.N, each with its own root directory.
 * The sshd is stopped by its pid; nothing is ever ended by name.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { SshHostOptions, SshMachine } from '../../lib/hosts/ssh';
import { spawnClean } from './spawn-clean';

export const SSHD = '/usr/sbin/sshd';

export class SshBed {
  readonly dir = mkdtempSync(join(tmpdir(), 'zk-sshbed-'));
  private pid: number | null = null;

  constructor(readonly hostIds: readonly number[], readonly port = 22022) {}

  address(id: number): string { return `127.0.1.${id}`; }
  root(id: number): string { return join(this.dir, `host-${id}`); }
  get identityFile(): string { return join(this.dir, 'id_ed25519'); }
  get knownHostsFile(): string { return join(this.dir, 'known_hosts'); }
  /** The home every login on the bed's machines gets (empty: no login files run). */
  get home(): string { return join(this.dir, 'home'); }

  async start(): Promise<void> {
    if (!existsSync(SSHD)) throw new Error(`${SSHD} not found: install Debian's openssh-server (apt-get install openssh-server; .ci/run does)`);
    const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(this.dir, file)]);
    keygen('host_key');
    keygen('id_ed25519');
    writeFileSync(join(this.dir, 'authorized_keys'), readFileSync(`${this.identityFile}.pub`));
    const hostKey = readFileSync(join(this.dir, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(this.knownHostsFile, this.hostIds.map((id) => `[${this.address(id)}]:${this.port} ${hostKey}\n`).join(''));
    for (const id of this.hostIds) mkdirSync(this.root(id), { recursive: true });
    mkdirSync(this.home, { recursive: true });
    writeFileSync(join(this.dir, 'sshd_config'), [
      ...this.hostIds.map((id) => `ListenAddress ${this.address(id)}:${this.port}`),
      `HostKey ${join(this.dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}`,
      `PidFile ${join(this.dir, 'sshd.pid')}`,
      'UsePAM no', 'StrictModes no', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password', 'MaxSessions 100', 'MaxStartups 100',
      // Each machine's commands start in a home of the bed's own, without this machine's login files: a
      // ~/.bashrc that runs `pyenv init` (as root's does on some CI machines) cost every command seconds
      // under load, and the ssh tests ran past their timeouts.
      `SetEnv HOME=${this.home}`,
      '',
    ].join('\n'));
    // sshd's privilege separation directory (Debian creates it from its service unit, which does not run here).
    mkdirSync('/run/sshd', { recursive: true });
    const child = spawnClean(SSHD, ['-D', '-e', '-f', join(this.dir, 'sshd_config')]);
    let log = '';
    child.stderr.on('data', (d) => { log += String(d); });
    this.pid = child.pid ?? null;
    const deadline = Date.now() + 15000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`sshd exited at start: ${log}`);
      try {
        execFileSync('ssh', ['-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${this.knownHostsFile}`, '-i', this.identityFile, '-p', String(this.port), `${userInfo().username}@${this.address(this.hostIds[0])}`, 'true'], { stdio: 'ignore' });
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`sshd did not accept a login within 15 s: ${log}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** The driver options a user would write for these machines (known-hosts checking on). */
  options(ensemble: string, overrides: Partial<SshMachine> = {}): SshHostOptions {
    return {
      ensemble,
      baseDir: '/var/lib/zk-rollout',
      defaults: { port: this.port, user: userInfo().username, identityFile: this.identityFile, knownHostsFile: this.knownHostsFile, ...overrides },
      machines: Object.fromEntries(this.hostIds.map((id) => [this.address(id), { root: this.root(id) }])),
    };
  }

  /** Stops exactly the sshd this bed started. */
  stop(): void {
    if (this.pid !== null) {
      try { process.kill(this.pid, 'SIGTERM'); } catch { /* already gone */ }
      this.pid = null;
    }
  }
}
