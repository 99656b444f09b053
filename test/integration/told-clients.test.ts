/**
 * The connect string users are told while the membership moves, on the native C client that
 * applications built on ZooKeeper's C library use. After a reconnect the C client retries only the
 * addresses two, four, ... places along its shuffled list from the server it is on (ZOOKEEPER-2466):
 * with an even list that is a fixed half. With the six addresses of {1,2,3} -> {4,5,6}, about one
 * client in ten holds a half of only the new servers (down until the migration starts them) or, once
 * it reconnected, of only old ones. Real servers: forty clients open on the transitional string and
 * every one must write again after a rolling restart of {1,2,3} (leader last: each reconnects at least
 * once) and after the migration. On the six-address string five of forty could not write after the restart.
 */
import { transitionalConnectString } from '../../lib/model/connect-string';
import { TestCluster } from '../support/cluster';
import { ToldClients } from '../support/told-clients';

jest.setTimeout(240000);

const cluster = new TestCluster('ittold', 21500);
const SETTINGS = { tickTime: 250 };

afterAll(async () => {
  require('node:fs').writeFileSync(`${cluster.baseDir}/rollout.log`, cluster.lines.join('\n'));
  await cluster.stopAll();
});

test('every client on the transitional connect string reaches the new servers after a migration, having reconnected before it', async () => {
  await cluster.apply(cluster.ensemble([1, 2, 3]));
  const told = transitionalConnectString(cluster.ensemble([1, 2, 3]).servers, cluster.ensemble([4, 5, 6]).servers);
  expect(told.split(',')).toHaveLength(7);
  const clients = await ToldClients.open(told, 40);
  try {
    await cluster.apply(cluster.ensemble([1, 2, 3], [], SETTINGS));
    expect(await clients.writeAfter('/told-restarted', 60000)).toEqual([]);
    await cluster.apply(cluster.ensemble([4, 5, 6], [], SETTINGS));
    expect(await cluster.running()).toEqual([4, 5, 6]);
    expect(await clients.writeAfter('/told-migrated', 60000)).toEqual([]);
  } finally {
    clients.close();
  }
});
