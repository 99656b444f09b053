/**
 * The seam between the server driver and a machine servers run on: run a bash script there, and
 * read and write files there. `LocalMachine` is this machine, `RemoteMachine` one reached over ssh.
 */

export interface RunResult { readonly code: number; readonly stdout: string; readonly stderr: string }

export interface RunOptions {
  /** Fed to the script's standard input. */
  readonly stdin?: string;
  /** Extra environment variables for the script (and what it starts). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface WriteOptions {
  /** @default 0o640 */
  readonly mode?: number;
}

export interface Machine {
  /** Names the machine in messages, e.g. `this machine` or `zk@10.0.0.5:22`. */
  describe(): string;
  /** Runs a bash script there. A non-zero exit is a result; not reaching the machine is an error. */
  run(script: string, opts?: RunOptions): Promise<RunResult>;
  /**
   * Temporary file, then rename (missing parent directories created, mode 0700): a failed write leaves
   * the old file. The file gets `mode` before it holds anything.
   */
  writeFileAtomic(path: string, content: string, opts?: WriteOptions): Promise<void>;
  /** The file's content, or undefined when there is no such file. */
  readFile(path: string): Promise<string | undefined>;
  /** Copies a file there, byte for byte, to a file on this machine (backups). */
  download(path: string, localPath: string): Promise<void>;
  /** Copies a file on this machine there, byte for byte (mode 0640, missing directories made 0700; restores). */
  upload(localPath: string, path: string): Promise<void>;
  /** Releases connections; the machine is not used afterwards. */
  close?(): Promise<void>;
}

/** Like run, but a non-zero exit is an error saying what failed, where, and the script's own message. */
export async function runChecked(m: Machine, script: string, what: string, opts?: RunOptions): Promise<string> {
  const r = await m.run(script, opts);
  if (r.code !== 0) throw new Error(`${what} on ${m.describe()} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim() || 'no message'}`);
  return r.stdout;
}
