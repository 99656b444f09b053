/**
 * Going back is just another desired state: a migration interrupted part-way is reverted by applying
 * the previous membership; with rollbackOnFailure, a rollout whose step keeps failing returns the
 * ensemble to where it started by itself. A writer runs throughout; nothing acknowledged is lost.
 */
import { createServer, Server as NetServer, Socket } from 'node:net';
import { observeEnsemble } from '../../lib/runtime/observe';
import { TestCluster } from '../support/cluster';
import { withWriter } from '../support/scenario';

jest.setTimeout(300000);
const cluster = new TestCluster('itback', 28000);
afterAll(async () => { await cluster.stopAll(); });

const ALL = [1, 2, 3, 4, 5, 6];
const members = async () => (await observeEnsemble(ALL.map((id) => ({ host: '127.0.0.1', port: 28000 + id })))).snapshot.members.map((m) => m.id).sort((a, b) => a - b);

test('a migration interrupted after one new server joined is rolled back by applying the previous membership', async () => {
  await cluster.apply(cluster.ensemble([1, 2, 3]));
  const { missing } = await withWriter(cluster, ALL, [1, 2, 3], async () => {
    await expect(cluster.apply(cluster.ensemble([4, 5, 6]), (step) => {
      if (step.kind === 'reconfig-add' && step.serverId === 5) throw new Error('interrupted by the test');
    })).rejects.toThrow(/interrupted by the test/);
    expect(await members()).toEqual([1, 2, 3, 4]);
    return cluster.apply(cluster.ensemble([1, 2, 3]));
  });
  expect(missing).toEqual({});
  expect(await members()).toEqual([1, 2, 3]);
  expect(await cluster.running()).toEqual([1, 2, 3]);
});

test('rollbackOnFailure: a server that cannot start (its port is taken) fails the migration, which returns to where it started and says so', async () => {
  // A real fault: something else listens on server 6's client port.
  const squatter: NetServer = createServer();
  const sockets = new Set<Socket>();
  squatter.on('connection', (c) => { sockets.add(c); c.on('close', () => sockets.delete(c)); });
  await new Promise<void>((resolve) => squatter.listen(28006, '127.0.0.1', resolve));
  try {
    // The writer stays off server 6's address: the squatter there accepts connections but speaks no ZooKeeper.
    const { missing } = await withWriter(cluster, [1, 2, 3, 4, 5], [1, 2, 3], () =>
      expect(cluster.executor(cluster.ensemble([4, 5, 6]), { rollbackOnFailure: true }).run())
        // Whether the JVM dies before the start check, while its start awaits its answer or during the sync wait, the port is named.
        .rejects.toThrow(/server 6(: process exited right after start| stopped while waiting for it to (sync|answer on its client port)): client port 28006 is taken by another process; free the port[\s\S]*rolled back to the membership it started from, \{1,2,3\}/));
    expect(missing).toEqual({});
  } finally {
    // close() waits for open connections (probes, clients trying it): end them first.
    for (const c of sockets) c.destroy();
    await new Promise((resolve) => squatter.close(resolve));
  }
  expect(cluster.events.find((e) => e.type === 'rollback')).toMatchObject({ to: [1, 2, 3] });
  expect(await members()).toEqual([1, 2, 3]);
  expect(await cluster.running()).toEqual([1, 2, 3]);
});
