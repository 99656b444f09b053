/** Runs a change with the writer going throughout and checks every acknowledged write afterwards. */
import { TestCluster } from './cluster';
import { missingWrites, Writer, WriterReport } from './writer';

export async function withWriter<T>(cluster: TestCluster, connectIds: number[], finalIds: number[], change: () => Promise<T>): Promise<{ report: WriterReport; missing: Record<number, string[]>; result: T }> {
  const writer = new Writer(cluster.connectString(connectIds));
  await writer.start();
  await new Promise((r) => setTimeout(r, 500));
  let result: T;
  try {
    result = await change();
  } finally {
    await new Promise((r) => setTimeout(r, 500));
  }
  const report = await writer.stop();
  const missing = await missingWrites(finalIds.map((id) => ({ ...cluster.ensemble([id]).servers[0] })), report.acknowledged, writer.root);
  process.stdout.write(`  ${cluster.name}: acknowledged ${report.acknowledged.length}, failed attempts ${report.failed}, longest gap between acknowledgements ${report.longestGapMs} ms\n`);
  return { report, missing, result };
}
