/** The zk-rollout CLI as a user runs it: the built binary, real files, exit codes. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { server } from '../support/fixtures';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'dist', 'lib', 'cli', 'main.js');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function writeJson(data: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'zk-cli-'));
  const path = join(dir, 'x.json');
  writeFileSync(path, JSON.stringify(data));
  return path;
}

describe('zk-rollout plan', () => {
  test('the example migration prints 22 steps (a 10 s bake among them) and exits 0', () => {
    const r = run(['plan', '--current', 'stacks/specs/dev.json', '--desired', 'stacks/specs/dev-migrated.json', '--leader', '3']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/22\. stop server 3/);
    expect(r.out).toMatch(/10\. hold 10 s \(bake\)/);
  });

  test('markdown and json formats', () => {
    const md = run(['plan', '--current', 'stacks/specs/dev.json', '--desired', 'stacks/specs/dev-migrated.json', '--format', 'markdown']);
    expect(md.out).toMatch(/```mermaid/);
    const json = run(['plan', '--desired', 'stacks/specs/dev.json', '--format', 'json']);
    expect(JSON.parse(json.out).plan.steps.map((s: { kind: string }) => s.kind)).toEqual(['start-initial', 'start-initial', 'start-initial', 'await-quorum']);
  });

  test('a snapshot file as the current state', () => {
    const snapshot = {
      configVersion: '100000003', leaderId: 2,
      members: [server(1), server(2), server(3)],
      observations: [{ id: 1, up: true, synced: true }, { id: 2, up: true, synced: true }, { id: 3, up: false, synced: false }],
    };
    const desired = writeJson({ name: 'test', servers: [server(1), server(2), server(3), server(4)] });
    const r = run(['plan', '--current', writeJson(snapshot), '--desired', desired]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/from config version 100000003, leader 2/);
    expect(r.out).toMatch(/1\. start member 3, which is down/);
  });

  test('a refusal exits 3 and says why', () => {
    const snapshot = {
      configVersion: '1', leaderId: null, members: [server(1), server(2), server(3)],
      observations: [{ id: 1, up: true, synced: true }],
    };
    const r = run(['plan', '--current', writeJson(snapshot), '--desired', writeJson({ name: 'test', servers: [server(1), server(2), server(3)] })]);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/REFUSED: no quorum: 1 of 3 voters/);
  });

  test('an invalid spec exits 2 naming the server and field', () => {
    const bad = writeJson({ name: 'test', servers: [server(1), server(2), { ...server(3), clientPort: 99999 }] });
    const r = run(['plan', '--desired', bad]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/server 3: clientPort: must be in 1\.\.65535/);
  });

  test('a missing file, a bad format, a bad snapshot and an unreachable address are clear errors', () => {
    expect(run(['plan', '--desired', '/nonexistent.json']).err).toMatch(/spec \/nonexistent\.json: no such file/);
    expect(run(['plan', '--desired', 'stacks/specs/dev.json', '--format', 'html']).err).toMatch(/--format html: must be one of text, json, markdown/);
    expect(run(['plan', '--desired', 'stacks/specs/dev.json', '--current', writeJson({ members: [] })]).err).toMatch(/snapshot .*configVersion/);
    const unreachable = run(['plan', '--desired', 'stacks/specs/dev.json', '--current', '127.0.0.1:1']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.err).toMatch(/could not read the ensemble's membership from any of 127\.0\.0\.1:1:\n.*connection refused/);
  });

  test('missing --desired is a usage error', () => {
    const r = run(['plan']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/give --desired <spec> \(or --stack <name>/);
  });
});

describe('what cdktf deploy and destroy run', () => {
  function runEnv(args: string[], env: Record<string, string>) {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  test('apply --desired-env: an unset variable, invalid JSON and an invalid spec are each named; nothing starts', () => {
    const base = mkdtempSync(join(tmpdir(), 'zk-cli-'));
    const unset = runEnv(['status', '--desired-env', 'ZK_TEST_NOT_SET', '--base-dir', base], {});
    expect(unset.code).toBe(2);
    expect(unset.err).toMatch(/--desired-env ZK_TEST_NOT_SET: the variable is not set/);
    const broken = runEnv(['apply', '--desired-env', 'ZK_TEST_SPEC', '--base-dir', base, '--skip-acl'], { ZK_TEST_SPEC: '{"name":' });
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(/spec in \$ZK_TEST_SPEC: not valid JSON/);
    const invalid = runEnv(['apply', '--desired-env', 'ZK_TEST_SPEC', '--base-dir', base, '--skip-acl'], { ZK_TEST_SPEC: JSON.stringify({ name: 'x', servers: [{ id: 0, host: '127.0.0.1' }] }) });
    expect(invalid.code).toBe(2);
    expect(invalid.err).toMatch(/spec in \$ZK_TEST_SPEC: invalid ensemble spec[\s\S]*id: must be in 1\.\.255/);
    expect(readdirSync(base)).toEqual([]);
  });

  test('--desired and --desired-env together are refused', () => {
    const r = runEnv(['status', '--desired', 'stacks/specs/dev.json', '--desired-env', 'X'], { X: '{}' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/either --desired or --desired-env, not both/);
  });

  test('--create-password-file needs --password-file', () => {
    const r = runEnv(['apply', '--desired', 'stacks/specs/dev.json', '--create-password-file', '--base-dir', mkdtempSync(join(tmpdir(), 'zk-cli-'))], {});
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--create-password-file needs --password-file/);
  });

  test('teardown: a bad name is refused; an ensemble without servers is nothing to stop', () => {
    const bad = run(['teardown', '--ensemble', '../etc']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--ensemble \.\.\/etc: not an ensemble name/);
    const none = run(['teardown', '--ensemble', 'ghost', '--base-dir', mkdtempSync(join(tmpdir(), 'zk-cli-'))]);
    expect(none.code).toBe(0);
    expect(none.out).toMatch(/ensemble ghost: no servers in .*ghost; nothing to stop/);
  });

  test('teardown fails, naming the machine, when it cannot reach a machine of the inventory (cdktf destroy then keeps the state)', () => {
    // Nothing listens on port 1 of loopback: ssh is refused at once, as by a machine that is down.
    const hosts = writeJson({ driver: 'ssh', machines: { '127.0.0.1': { port: 1, connectTimeoutSeconds: 2 } } });
    const r = run(['teardown', '--ensemble', 'gone', '--hosts', hosts]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/teardown of ensemble gone could not reach 1 machine\(s\), whose servers may still run: .*127\.0\.0\.1.*run teardown \(cdktf destroy\) again/);
    expect(r.out).not.toMatch(/nothing to stop/);
  });

  test('plan --stack: a stack that was not synthesized is named, with what to do', () => {
    const r = run(['plan', '--stack', 'nope', '--outdir', mkdtempSync(join(tmpdir(), 'zk-cli-'))]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/stack nope: .*cdk\.tf\.json does not exist; run `cdktf synth` first/);
  });
});
