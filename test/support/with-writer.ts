/** A change made while a writer runs on the connect string users get; what it acknowledged and what the final servers lack. */
import { TestCluster } from './cluster';
import { missingWrites, Writer, WriterReport } from './writer';

export async function withWriter<T>(cluster: TestCluster, connectIds: number[], finalIds: number[], change: () => Promise<T>): Promise<{ result: T; report: WriterReport; missing: Record<number, string[]> }> {
  const writer = new Writer(cluster.connectString(connectIds));
  await writer.start();
  await new Promise((r) => setTimeout(r, 500));
  const result = await change();
  await new Promise((r) => setTimeout(r, 500));
  const report = await writer.stop();
  const missing = await missingWrites(finalIds.map((id) => cluster.ensemble([id]).servers[0]), report.acknowledged, writer.root);
  process.stdout.write(`  acknowledged ${report.acknowledged.length}, failed attempts ${report.failed}, longest gap ${report.longestGapMs} ms, rate ${(report.acknowledged.length / (report.durationMs / 1000)).toFixed(0)}/s\n`);
  return { result, report, missing };
}
