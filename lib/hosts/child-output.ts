/**
 * A child's exit code with everything it printed. A process's exit is not the end of its output:
 * through a multiplexed ssh connection the master, not the ssh client, writes the remote output, and
 * the remote exit status can reach the client before the last of it (OpenSSH sends `exit-status`
 * when the remote shell exits, before its pipes are drained). Reading until 'exit' returned an empty
 * status read; reading until the pipes close does not.
 */
import { ChildProcessByStdio } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { afterPoll } from './after-poll';

export interface ChildOutput { readonly code: number; readonly stdout: string; readonly stderr: string }

/**
 * Collects stdout and stderr until both close; `graceMs` after the exit it stops waiting: something
 * the command started in the background and did not redirect would otherwise hold the pipes, and
 * this call, open for as long as it runs. Rejects with the spawn error when the command cannot start.
 */
export function childOutput(child: ChildProcessByStdio<Writable, Readable, Readable>, graceMs: number): Promise<ChildOutput> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += String(d); });
  child.stderr.on('data', (d) => { stderr += String(d); });
  return new Promise((resolve, reject) => {
    let code: number | null = null;
    let grace: NodeJS.Timeout | undefined;
    const done = () => { clearTimeout(grace); resolve({ code: code ?? 1, stdout, stderr }); };
    child.once('error', reject);
    child.once('exit', (c) => {
      code = c;
      grace = setTimeout(afterPoll(() => { child.stdout.destroy(); child.stderr.destroy(); done(); }), graceMs);
    });
    // 'close' carries the exit code too: it is the one that counts when 'exit' was not seen first.
    child.once('close', (c) => { code ??= c; done(); });
  });
}
