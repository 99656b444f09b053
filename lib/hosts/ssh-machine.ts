/** A machine reached over ssh as a `Machine`: every script runs in bash there, through one SshRunner. */
import { posix } from 'node:path';
import { Machine, RunOptions, RunResult, runChecked, WriteOptions } from './machine';
import { exportLines, sq } from './shell';
import { describeTarget, SshRunner, SshTarget } from './ssh-exec';

export class RemoteMachine implements Machine {
  constructor(private readonly ssh: SshRunner, private readonly target: SshTarget) {}

  describe(): string { return describeTarget(this.target); }

  /** bash explicitly: the remote user's login shell may be another one. Environment goes as exports. */
  run(script: string, opts: RunOptions = {}): Promise<RunResult> {
    return this.ssh.run(this.target, `exec bash -c ${sq(exportLines(opts.env ?? {}) + script)}`, opts.stdin);
  }

  async writeFileAtomic(path: string, content: string, opts: WriteOptions = {}): Promise<void> {
    const tmp = `${sq(path)}.tmp-$$`;
    const mode = (opts.mode ?? 0o640).toString(8);
    // umask 077: new directories 0700, and the file has no wider mode while it is being filled.
    // `mv -T`: a directory in the way is an error, not a place to move the file into.
    await runChecked(this, `umask 077 && mkdir -p ${sq(posix.dirname(path))} && : > ${tmp} && chmod ${mode} ${tmp} && cat > ${tmp} && { sync ${tmp} 2>/dev/null || :; } && mv -fT ${tmp} ${sq(path)} || { rm -f ${tmp}; exit 1; }`,
      `writing ${path}`, { stdin: content });
  }

  async readFile(path: string): Promise<string | undefined> {
    const r = await this.run(`[ -e ${sq(path)} ] || exit 3; cat ${sq(path)}`);
    if (r.code === 3) return undefined;
    if (r.code !== 0) throw new Error(`reading ${path} on ${this.describe()} failed (exit ${r.code}): ${r.stderr.trim() || 'no message'}`);
    return r.stdout;
  }

  async download(path: string, localPath: string): Promise<void> {
    await this.ssh.transfer(this.target, `exec cat ${sq(path)}`, { toLocal: localPath }, `reading ${path}`);
  }

  async upload(localPath: string, path: string): Promise<void> {
    const tmp = `${sq(path)}.tmp-$$`;
    await this.ssh.transfer(this.target, `exec bash -c ${sq(`umask 077 && mkdir -p ${sq(posix.dirname(path))} && cat > ${tmp} && chmod 640 ${tmp} && mv -fT ${tmp} ${sq(path)} || { rm -f ${tmp}; exit 1; }`)}`, { fromLocal: localPath }, `writing ${path}`);
  }
}
