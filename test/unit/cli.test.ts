/** The zk-rollout CLI as a user runs it: the built binary, real files, exit codes. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
  test('the example migration prints 21 steps and exits 0', () => {
    const r = run(['plan', '--current', 'stacks/specs/dev.json', '--desired', 'stacks/specs/dev-migrated.json', '--leader', '3']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/21\. stop server 3/);
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
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/required option '-d, --desired <spec>'/);
  });
});
