/**
 * A throwaway standalone ZooKeeper server on loopback, started on copies of backup files to see what
 * they hold: the zxid it loaded and its number of znodes. Started and stopped by pid in a directory of
 * its own, which is removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHostDriver } from '../../hosts/local';
import { parseEnsembleSpec } from '../../model/validate';
import { fourLetterWord, parseSrvr } from '../four-letter';
import { sleep } from '../wait';

export interface Loaded {
  readonly zxid: bigint;
  readonly nodeCount: number;
}

/**
 * `n` distinct ports nothing listens on now, on 127.0.0.1. All are held open together before any is
 * released: asked one at a time, the kernel may hand the same port out twice (it did, in CI).
 */
export async function freePorts(n: number): Promise<number[]> {
  const held: Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const srv = createServer();
      held.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return held.map((srv) => (srv.address() as { port: number }).port);
  } finally {
    await Promise.all(held.map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))));
  }
}

/**
 * Loads `files` (snapshot and logs on this machine) into a standalone server and reads `srvr` as soon
 * as it serves: sessions restored from the files expire after their timeout and would move the zxid on.
 */
export async function loadInStandalone(files: ReadonlyArray<{ name: string; localPath: string }>, o: { heapMb: number; timeoutMs: number }): Promise<Loaded> {
  const baseDir = mkdtempSync(join(tmpdir(), 'zk-rollout-verify-'));
  const driver = new LocalHostDriver({ baseDir, ensemble: 'verify' });
  const [clientPort, quorumPort, electionPort] = await freePorts(3);
  const server = parseEnsembleSpec({
    name: 'verify', servers: [{ id: 1, host: '127.0.0.1', clientPort, quorumPort, electionPort }], standalone: true,
  }).servers[0];
  let ok = false;
  try {
    await driver.placeData(server, files);
    // No server list: ZooKeeper runs a true standalone server, which serves the zxid it loaded (a
    // one-voter quorum would first start a new epoch). Nobody but zk-rollout's four-letter words connects.
    const zooCfg = [`dataDir=${driver.paths(server).dataDir}`, `clientPort=${clientPort}`, 'clientPortAddress=127.0.0.1', 'tickTime=2000',
      '4lw.commands.whitelist=srvr', 'admin.enableServer=false', ''].join('\n');
    await driver.writeFiles(server, { zooCfg, settingsHash: 'backup-check' });
    await driver.start(server, { heapMb: o.heapMb });
    const until = Date.now() + o.timeoutMs;
    for (;;) {
      const report = await fourLetterWord('127.0.0.1', clientPort, 'srvr', 1000).then(parseSrvr, () => null);
      if (report?.mode === 'standalone' && report.zxid !== undefined && report.nodeCount !== undefined) {
        ok = true;
        return { zxid: report.zxid, nodeCount: report.nodeCount };
      }
      if (!(await driver.isRunning(server))) throw new Error(`the standalone server loading the backup exited; its log: ${driver.paths(server).log}`);
      if (Date.now() > until) throw new Error(`the standalone server loading the backup did not serve within ${o.timeoutMs / 1000} s; its log: ${driver.paths(server).log}`);
      await sleep(50);
    }
  } finally {
    await driver.stop(server, 5000).catch(() => undefined);
    await driver.close();
    // When it failed, its log stays (the message names it); the copy of the data goes.
    rmSync(ok ? baseDir : driver.paths(server).dataDir, { recursive: true, force: true });
  }
}
