/** Real servers with the static strategy (no reconfig): list rewrite plus leader-last rolling restarts. */
import { TestCluster } from '../support/cluster';
import { withWriter } from '../support/scenario';

jest.setTimeout(300000);
const cluster = new TestCluster('itstatic', 25000, 'static');
afterAll(async () => {
  require('node:fs').writeFileSync(`${cluster.baseDir}/rollout.log`, cluster.lines.join('\n'));
  await cluster.stopAll();
});

test('static scale-up 3 -> 4: no write lost', async () => {
  await cluster.apply(cluster.ensemble([1, 2, 3]));
  const { missing, report } = await withWriter(cluster, [1, 2, 3, 4], [1, 2, 3, 4], () => cluster.apply(cluster.ensemble([1, 2, 3, 4])));
  expect(missing).toEqual({});
  expect(report.acknowledged.length).toBeGreaterThan(20);
  expect(await cluster.running()).toEqual([1, 2, 3, 4]);
  for (const id of [1, 2, 3, 4]) {
    expect(await cluster.driver.readZooCfg(cluster.ensemble([id]).servers[0])).toMatch(/^server\.4=/m);
  }
});

test('static migration {1,2,3,4} -> {5,6,7}: no write lost', async () => {
  // The previous rollout ended with restarts; if its lock release could not reach a server it
  // lingers until that session expires (4 s at this tickTime). A second rollout would rightly refuse.
  await new Promise((r) => setTimeout(r, 6000));
  const { missing, report } = await withWriter(cluster, [1, 2, 3, 4, 5, 6, 7], [5, 6, 7], () => cluster.apply(cluster.ensemble([5, 6, 7])));
  expect(missing).toEqual({});
  expect(report.acknowledged.length).toBeGreaterThan(20);
  expect(await cluster.running()).toEqual([5, 6, 7]);
});
