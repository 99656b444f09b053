/**
 * The app the end-to-end test deploys with the real cdktf CLI. Its membership comes from the
 * environment, so one app file stands for each version of a user's app (v1, v2, v3).
 */
import { App, TerraformStack } from 'cdktf';
import { ZooKeeperEnsemble } from '../../../lib/constructs';
import { ExistingServerSpec } from '../../../lib/model/types';

const members = (process.env.ZK_E2E_MEMBERS ?? '1,2,3').split(',').map(Number);
const portBase = Number(process.env.ZK_E2E_PORT_BASE ?? '27000');
// An ensemble that runs already, declared to be taken over (the adoption test): JSON of existing.servers.
const existing = process.env.ZK_E2E_EXISTING ? { servers: JSON.parse(process.env.ZK_E2E_EXISTING) as ExistingServerSpec[] } : undefined;

const app = new App();
const stack = new TerraformStack(app, 'e2e');
new ZooKeeperEnsemble(stack, 'zk', {
  name: process.env.ZK_E2E_NAME ?? 'e2e-zk',
  ...(existing ? { existing } : {}),
  servers: members.map((id) => ({ id, host: '127.0.0.1', clientPort: portBase + id, quorumPort: portBase + 100 + id, electionPort: portBase + 200 + id })),
  settings: { tickTime: 200, initLimit: 20, syncLimit: 10, jvmHeapMb: 128 },
  hosts: { driver: 'local', baseDir: process.env.ZK_E2E_BASE_DIR ?? '.zk-local' },
  timeouts: { syncSeconds: 60, drainSeconds: 1, quorumSeconds: 60, bakeSeconds: 2 },
  // Where the test reads the rollout's events (JSON lines), relative to the app's directory.
  ...(process.env.ZK_E2E_EVENTS_FILE ? { eventsFile: process.env.ZK_E2E_EVENTS_FILE } : {}),
});
app.synth();
