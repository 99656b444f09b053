/** The local host driver against real ZooKeeper processes: start, stop by pid, failures reported. */
import { createServer, Server as NetServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { AdminClient } from '../../lib/runtime/admin-client';
import { TestCluster } from '../support/cluster';

jest.setTimeout(120000);
const cluster = new TestCluster('itlocal', 23000);
afterAll(async () => { await cluster.stopAll(); });

test('GIVEN a client session is open WHEN a server process is started THEN later clients still connect', async () => {
  await cluster.apply(cluster.ensemble([1, 2, 3]));
  const first = await AdminClient.open({ connect: cluster.connectString([1, 2, 3]) });
  await first.ensurePath('/it');
  // Starting a server (a child process) while the session is open must not leak its socket.
  await cluster.apply(cluster.ensemble([1, 2, 3], [4]));
  first.close();
  for (const id of [1, 2, 3, 4]) {
    const c = await AdminClient.open({ connect: cluster.connectString([id]), connectTimeoutMs: 5000 });
    expect(await c.children('/it')).toEqual([]);
    c.close();
  }
});

test('stop ends exactly the recorded process and reports it gone', async () => {
  const s4 = cluster.ensemble([1, 2, 3], [4]).servers[3];
  const pid = await cluster.driver.pid(s4);
  expect(pid).not.toBeNull();
  expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain(cluster.driver.paths(s4).zooCfg);
  await cluster.driver.stop(s4);
  expect(await cluster.driver.isRunning(s4)).toBe(false);
  expect(await cluster.driver.pid(s4)).toBeNull();
  await cluster.driver.stop(s4); // stopping a stopped server is fine
});

test('a server whose client port is taken fails, naming the port and what to do', async () => {
  const blocker: NetServer = createServer();
  await new Promise<void>((r) => blocker.listen(23009, '127.0.0.1', () => r()));
  try {
    const e = cluster.ensemble([1, 2, 3], [9]);
    // Whether the JVM dies before the start check, while its start awaits its answer or while its sync is awaited, the port is named.
    await expect(cluster.apply(e)).rejects.toThrow(/server 9(: process exited right after start| stopped while waiting for it to (sync|answer on its client port)): client port 23009 is taken by another process; free the port .*then re-run apply/);
  } finally {
    blocker.close();
  }
});
