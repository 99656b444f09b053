/**
 * End to end with the real cdktf CLI, real Terraform and real ZooKeeper on loopback: deploy v1
 * (3 servers), v2 (5 servers), v3 (3 new servers, with the handler killed part-way and a second deploy
 * that resumes), then destroy. A writer runs throughout; no acknowledged write may be lost.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHostDriver } from '../../lib/hosts/local';
import { normaliseServer } from '../../lib/model/validate';
import { AdminClient } from '../../lib/runtime/admin-client';
import { observeEnsemble } from '../../lib/runtime/observe';
import { parseEvents, RolloutEvent } from '../../lib/runtime/events';
import { spawnClean } from '../support/spawn-clean';
import { missingWrites, Writer } from '../support/writer';

jest.setTimeout(600000);

const REPO = join(__dirname, '..', '..');
const PORT_BASE = 27000;
const SECRET = 'e2e-superuser-secret-7c1d';
const project = mkdtempSync(join(tmpdir(), 'zk-e2e-'));
const baseDir = join(project, '.zk-local');
const driver = new LocalHostDriver({ baseDir, ensemble: 'e2e-zk' });
const server = (id: number) => normaliseServer({ id, host: '127.0.0.1', clientPort: PORT_BASE + id, quorumPort: PORT_BASE + 100 + id, electionPort: PORT_BASE + 200 + id });
const ALL = [1, 2, 3, 4, 5, 6, 7, 8];

writeFileSync(join(project, 'cdktf.json'), JSON.stringify({
  language: 'typescript', app: `node ${join(REPO, 'dist', 'test', 'e2e', 'app', 'main.js')}`, projectId: 'zk-e2e', sendCrashReports: 'false',
}));

/** The app's eventsFile (relative to the project): every deploy's rollout events are appended there. */
const EVENTS_FILE = 'rollout-events.jsonl';
const allEvents = (): RolloutEvent[] => (existsSync(join(project, EVENTS_FILE)) ? parseEvents(readFileSync(join(project, EVENTS_FILE), 'utf8')) : []);

interface Run { code: number | null; out: string; events: RolloutEvent[] }

/** Runs the project's cdktf CLI in the test project; `onEvents` sees this run's rollout events as they come. */
function cdktf(args: string[], members: number[], onEvents?: (events: readonly RolloutEvent[]) => void, env: Record<string, string> = {}): Promise<Run> {
  const started = Date.now();
  const before = allEvents().length;
  const child = spawnClean(join(REPO, 'node_modules', '.bin', 'cdktf'), args, {
    cwd: project,
    env: { ...process.env, ZK_E2E_EVENTS_FILE: EVENTS_FILE, ZK_E2E_MEMBERS: members.join(','), ZK_E2E_PORT_BASE: String(PORT_BASE), ZK_ROLLOUT_SUPER_PASSWORD: SECRET, CHECKPOINT_DISABLE: '1', CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1', ...env },
  });
  let out = '';
  const take = (d: Buffer) => { out += String(d); onEvents?.(allEvents().slice(before)); };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  return new Promise((resolve) => child.once('exit', (code) => {
    process.stdout.write(`  cdktf ${args[0]} [${members.join(',')}]: exit ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    resolve({ code, out, events: allEvents().slice(before) });
  }));
}

/** The CLI as a user runs it, in the test project. */
function zkRollout(args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawnClean(process.execPath, [join(REPO, 'dist', 'lib', 'cli', 'main.js'), ...args], { cwd: project, env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => { out += String(d); });
    child.stderr.on('data', (d) => { out += String(d); });
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`zk-rollout ${args.join(' ')}: exit ${code}\n${out}`))));
  });
}

const deploy = (members: number[], onEvents?: (events: readonly RolloutEvent[]) => void, env: Record<string, string> = {}) => cdktf(['deploy', 'e2e', '--auto-approve'], members, onEvents, env);

async function membersNow(): Promise<number[]> {
  const { snapshot } = await observeEnsemble(ALL.map((id) => ({ host: '127.0.0.1', port: PORT_BASE + id })));
  return snapshot.members.map((m) => m.id).sort((a, b) => a - b);
}

function stateFile(): string {
  return readFileSync(join(project, 'terraform.e2e.tfstate'), 'utf8');
}

afterAll(async () => {
  for (const id of ALL) await driver.stop(server(id), 5000);
});

test('cdktf deploy v1 -> v2 -> v3 killed part-way -> back to v2 -> v3 -> destroy, with no acknowledged write lost', async () => {
  // v1: bootstrap three servers.
  const v1 = await deploy([1, 2, 3]);
  expect(v1.code).toBe(0);
  expect(await membersNow()).toEqual([1, 2, 3]);
  expect(v1.out).toMatch(/e2e-zk_connect_string = "?127\.0\.0\.1:27001,127\.0\.0\.1:27002,127\.0\.0\.1:27003/);

  const writer = new Writer(ALL.map((id) => `127.0.0.1:${PORT_BASE + id}`).join(','));
  await writer.start();
  try {
    // v2: the diff lists the two new server records; the deploy adds them.
    const diff2 = await cdktf(['diff', 'e2e'], [1, 2, 3, 4, 5]);
    expect(diff2.code).toBe(0);
    expect(diff2.out).toMatch(/terraform_data\.e2e-zk_server_4 [^\n]*will be created/);
    expect(diff2.out).toMatch(/terraform_data\.e2e-zk_server_5 [^\n]*will be created/);
    expect(diff2.out).not.toMatch(/e2e-zk_server_[123] [^\n]*will be/);
    const v2 = await deploy([1, 2, 3, 4, 5]);
    expect(v2.code).toBe(0);
    // Clients hear the transitional and the final connect string, from the handler and as outputs.
    expect(v2.out).toMatch(/e2e-zk_transitional_connect_string = "127\.0\.0\.1:27001,127\.0\.0\.1:27002,127\.0\.0\.1:27003,127\.0\.0\.1:27004,127\.0\.0\.1:27005"/);
    expect(v2.out).toMatch(/clients: during this change connect with 127\.0\.0\.1:27001,127\.0\.0\.1:27002,127\.0\.0\.1:27003,127\.0\.0\.1:27004,127\.0\.0\.1:27005/);
    expect(v2.out).toMatch(/clients: final connect string 127\.0\.0\.1:27001,127\.0\.0\.1:27002,127\.0\.0\.1:27003,127\.0\.0\.1:27004,127\.0\.0\.1:27005/);
    expect(await membersNow()).toEqual([1, 2, 3, 4, 5]);

    // v3: move to new servers. The diff shows five records going and three coming.
    const diff3 = await cdktf(['diff', 'e2e'], [6, 7, 8]);
    for (const id of [1, 2, 3, 4, 5]) expect(diff3.out).toMatch(new RegExp(`terraform_data\\.e2e-zk_server_${id} [^\\n]*will be destroyed`));
    for (const id of [6, 7, 8]) expect(diff3.out).toMatch(new RegExp(`terraform_data\\.e2e-zk_server_${id} [^\\n]*will be created`));
    // Eight addresses: the first new server is listed again, for an odd count (the C client retries only half of an even list).
    expect(diff3.out).toMatch(/e2e-zk_transitional_connect_string = "[^"]*" -> "127\.0\.0\.1:27001,127\.0\.0\.1:27002,127\.0\.0\.1:27003,127\.0\.0\.1:27004,127\.0\.0\.1:27005,127\.0\.0\.1:27006,127\.0\.0\.1:27007,127\.0\.0\.1:27008,127\.0\.0\.1:27006"/);

    // The rollout resource's input keys servers by id: its diff shows servers going and coming, not shifted.
    expect(diff3.out).toMatch(/-\s+"?server-1"?\s+=/);
    expect(diff3.out).toMatch(/\+\s+"?server-6"?\s+=/);

    // The review comment: from the synthesized v3 and the live ensemble (preflight with deploy's own
    // credentials and hosts, read from the stack's apply command), pinned for the deploy; then from the state alone.
    const pins = join(project, 'reviewed-plan.json');
    const review = await zkRollout(['plan', '--stack', 'e2e', '--format', 'markdown', '--outdir', join(project, 'cdktf.out'), '--state', join(project, 'terraform.e2e.tfstate'), '--pin', pins], { ZK_ROLLOUT_SUPER_PASSWORD: SECRET });
    expect(review).toMatch(/^<!-- zk-rollout-review: stack e2e -->/);
    expect(review).toMatch(/### ZooKeeper rollout `e2e-zk`: 3 add, 5 remove, leader hand-off/);
    expect(review).toMatch(/\*\*preflight passed\*\*/);
    expect(review).toMatch(/Planned from the live ensemble: config version `\w+`, zxid `0x[0-9a-f]+`, leader \d/);
    for (const id of [6, 7, 8]) expect(review).toMatch(new RegExp(`reconfig: add server ${id} as participant`));
    for (const id of [1, 2, 3, 4, 5]) expect(review).toMatch(new RegExp(`reconfig: remove server ${id}`));
    const fromState = await zkRollout(['plan', '--stack', 'e2e', '--from', 'state', '--outdir', join(project, 'cdktf.out'), '--state', join(project, 'terraform.e2e.tfstate')]);
    expect(fromState).toMatch(/planned from the last deployed spec in .*terraform\.e2e\.tfstate/);
    expect(fromState).toMatch(/voters \{1,2,3,4,5\}\s+->\s+voters \{6,7,8\}/);
    const reviewed = { ZK_ROLLOUT_REVIEWED_PLAN: pins };

    // A fault part-way: the handler is killed with -9 after its first reconfig (server 6 added; it is
    // found by the pid its lock names, checked against its command line). The deploy fails; the next one resumes.
    let killed: Promise<number> | null = null;
    const failed = await deploy([6, 7, 8], (events) => {
      if (killed === null && events.some((e) => e.type === 'step-end' && e.step.kind === 'reconfig-add')) killed = killHandler();
    }, reviewed);
    // It ran the reviewed plan.
    expect(failed.events.some((e) => e.type === 'notice' && e.code === 'plan-as-reviewed')).toBe(true);
    expect(killed).not.toBeNull();
    expect(await killed).toBeGreaterThan(0);
    expect(failed.code).not.toBe(0);
    expect(failed.out).toMatch(/local-exec provisioner error|Error running command/);
    // Going back is just another deploy: the previous version (v2) from the middle of the interrupted migration.
    const back = await deploy([1, 2, 3, 4, 5]);
    expect(back.code).toBe(0);
    expect(await membersNow()).toEqual([1, 2, 3, 4, 5]);
    // The ensemble moved since the review (server 6 added and removed again: another config version).
    // Deploy compares its plan with the reviewed one: the same steps run, saying it moved; other steps
    // (a leader elected meanwhile) would be refused, so this deploy allows re-planning.
    const resumed = await deploy([6, 7, 8], undefined, { ...reviewed, ZK_ROLLOUT_REPLAN: '1' });
    expect(resumed.code).toBe(0);
    const verdict = resumed.events.find((e) => e.type === 'notice' && (e.code === 'plan-as-reviewed' || e.code === 'replanned'));
    expect(verdict).toMatchObject({ message: expect.stringMatching(/the ensemble moved since the review|moved since \(config version/) });
    expect(resumed.out).toMatch(/converged: \d+ steps/);
    // The same run as data: the construct's eventsFile got one summary naming the final members.
    expect(resumed.events.find((e) => e.type === 'summary')).toMatchObject({ finalMembers: [6, 7, 8] });
    expect(failed.events.some((e) => e.type === 'summary')).toBe(false);
    expect(await membersNow()).toEqual([6, 7, 8]);

    // The secret is in no synthesized file, no state, no deploy output (the handler's log) and no plan.
    const synthesized = readFileSync(join(project, 'cdktf.out', 'stacks', 'e2e', 'cdk.tf.json'), 'utf8');
    for (const text of [synthesized, stateFile(), v1.out, v2.out, failed.out, back.out, resumed.out, review, fromState, readFileSync(pins, 'utf8'), readFileSync(join(project, EVENTS_FILE), 'utf8')]) expect(text).not.toContain(SECRET);
  } finally {
    await new Promise((r) => setTimeout(r, 500));
  }
  const report = await writer.stop();
  process.stdout.write(`  e2e: acknowledged ${report.acknowledged.length}, failed attempts ${report.failed}, longest gap between acknowledgements ${report.longestGapMs} ms\n`);
  expect(report.acknowledged.length).toBeGreaterThan(100);
  expect(await missingWrites([6, 7, 8].map(server), report.acknowledged, writer.root)).toEqual({});

  // destroy: every server stopped, every data directory kept.
  const destroyed = await cdktf(['destroy', 'e2e', '--auto-approve'], [6, 7, 8]);
  expect(destroyed.code).toBe(0);
  for (const id of ALL) {
    expect(await driver.isRunning(server(id))).toBe(false);
    expect(existsSync(join(driver.paths(server(id)).dataDir, 'myid'))).toBe(true);
  }
  expect(destroyed.out).toMatch(/data kept in/);
});

/** Kills the running handler by the pid its lock names, after checking that pid runs `zk-rollout apply`. */
async function killHandler(): Promise<number> {
  const client = await AdminClient.open({ connect: ALL.map((id) => `127.0.0.1:${PORT_BASE + id}`).join(',') });
  let holder: { pid: number };
  try {
    holder = JSON.parse(await client.get('/zk-rollout/locks/e2e-zk')) as { pid: number };
  } finally {
    client.close();
  }
  const cmdline = readFileSync(`/proc/${holder.pid}/cmdline`, 'utf8').split('\0');
  if (!cmdline.some((a) => a.endsWith(join('cli', 'main.js'))) || !cmdline.includes('apply')) throw new Error(`pid ${holder.pid} is not a zk-rollout apply: ${cmdline.join(' ')}`);
  process.kill(holder.pid, 'SIGKILL');
  return holder.pid;
}
