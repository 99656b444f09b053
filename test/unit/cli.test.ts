/** The zk-rollout CLI as a user runs it: the built binary, real files, exit codes. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { server } from '../support/fixtures';
import { buildProgram } from '../../lib/cli/main';
import { InputError } from '../../lib/cli/inputs';

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
  test('the example migration prints 23 steps (a 10 s bake and the backup among them) and exits 0', () => {
    const r = run(['plan', '--current', 'stacks/specs/dev.json', '--desired', 'stacks/specs/dev-migrated.json', '--leader', '3']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/23\. stop server 3/);
    expect(r.out).toMatch(/10\. hold 10 s \(bake\)/);
    expect(r.out).toMatch(/11\. take a backup of the data/);
    expect(r.out).toMatch(/^change: 3 add, 3 remove, leader hand-off$/m);
    expect(run(['plan', '--current', 'stacks/specs/dev.json', '--desired', 'stacks/specs/dev-migrated.json', '--leader', '3', '--skip-backup']).out).toMatch(/22\. stop server 3/);
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

  test('--pin needs a plan from the live ensemble: from a spec file it is refused, and no pin is written', () => {
    const pin = join(mkdtempSync(join(tmpdir(), 'zk-pin-')), 'pins.json');
    const r = run(['plan', '--current', 'stacks/specs/dev.json', '--desired', 'stacks/specs/dev-migrated.json', '--pin', pin]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--pin .*pins\.json: ensemble dev was planned from spec stacks\/specs\/dev\.json .*not from the live ensemble/);
    expect(existsSync(pin)).toBe(false);
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

describe('zk-rollout restore', () => {
  test('GIVEN a spec with adopted servers and no password anywhere THEN the refusal is about the spec, not the password; nothing starts', () => {
    const base = mkdtempSync(join(tmpdir(), 'zk-cli-'));
    const run = (id: number) => ({ zooCfg: `/srv/zk${id}/zoo.cfg`, dataDir: `/srv/zk${id}/data`, pidFile: `/srv/zk${id}/zookeeper.pid`, start: `/srv/zk${id}/zookeeper start` });
    const ids = [1, 2, 3];
    const spec = writeJson({ name: 'adopted', servers: ids.map((id) => server(id)), existing: { servers: ids.map((id) => ({ ...server(id), run: run(id) })) } });
    const r = spawnSync(process.execPath, [BIN, 'restore', '--desired', spec, '--from', base, '--base-dir', base], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ZK_ROLLOUT_SUPER_PASSWORD: '' } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/the spec declares existing \(adopted\) servers/);
    expect(r.stderr).not.toMatch(/password/);
    expect(readdirSync(base)).toEqual([]);
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

/**
 * Bad input the CLI refuses before it reaches a server (issue 16), run in-process from lib (the
 * binary above is the last build): each is an InputError, which the binary exits 2 on, naming the flag.
 */
describe('zk-rollout refuses bad input, naming the flag', () => {
  async function parse(words: readonly string[]): Promise<void> {
    const program = buildProgram(() => undefined, { apply: async () => 0, teardown: async () => 0 });
    for (const c of [program, ...program.commands]) c.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    try {
      await program.parseAsync([...words], { from: 'user' });
    } finally {
      process.exitCode = undefined;
    }
  }
  const refused = (words: string[], message: RegExp) => expect(parse(words)).rejects.toThrow(expect.objectContaining({ name: InputError.name, message: expect.stringMatching(message) }));
  const snapshot = (more: object = {}) => writeJson({
    configVersion: '100000003', leaderId: 2, members: [server(1), server(2), server(3)],
    observations: [{ id: 1, up: true, synced: true }, { id: 2, up: true, synced: true }, { id: 3, up: true, synced: true }], ...more,
  });
  const desired = 'stacks/specs/dev.json';

  test.each<[string, string[], RegExp]>([
    ['a port 0 in --current', ['--current', '127.0.0.1:2181,127.0.0.1:0'], /^--current 127\.0\.0\.1:2181,127\.0\.0\.1:0: 127\.0\.0\.1:0: the port must be in 1\.\.65535$/],
    ['a port above 65535 in --current', ['--current', 'zk1:99999'], /^--current zk1:99999: zk1:99999: the port must be in 1\.\.65535$/],
    ['the wildcard in --current', ['--current', '0.0.0.0:2181'], /^--current 0\.0\.0\.0:2181: 0\.0\.0\.0: 0\.0\.0\.0 is the wildcard address/],
    ['an address with an octet above 255 in --current', ['--current', '127.0.0.300:2181'], /^--current 127\.0\.0\.300:2181: 127\.0\.0\.300: must be a host name or IPv4 address/],
    ['--leader without --current', ['--leader', '3'], /^--leader 3: only with a spec file as --current .*a bootstrap/],
    ['--leader in hex', ['--current', desired, '--leader', '0x3'], /^--leader 0x3: must be a server id in 1\.\.255$/],
    ['--leader 1e2', ['--current', desired, '--leader', '1e2'], /^--leader 1e2: must be a server id in 1\.\.255$/],
    ['--bake-time in hex', ['--bake-time', '0x10'], /^--bake-time 0x10: must be a number of seconds, 0 or more \(decimal, to the millisecond, at most 86400\)$/],
    ['--bake-time with an exponent', ['--bake-time', '1e3'], /^--bake-time 1e3: must be a number of seconds, 0 or more/],
    ['--bake-time Infinity', ['--bake-time', 'Infinity'], /^--bake-time Infinity: must be a number of seconds, 0 or more/],
  ])('plan: %s', async (_label, more, message) => {
    await refused(['plan', '--desired', desired, ...more], message);
  });

  test('plan: --leader with a snapshot (which names its leader), live servers or --stack', async () => {
    const snap = snapshot();
    await refused(['plan', '--desired', desired, '--current', snap, '--leader', '2'], new RegExp(`^--leader 2: only for a spec file as --current; snapshot ${snap} names its leader \\(leaderId\\)$`));
    await refused(['plan', '--desired', desired, '--current', '127.0.0.1:1', '--leader', '2'], /^--leader 2: only for a spec file as --current; the live servers say which one leads$/);
    await refused(['plan', '--stack', 'dev', '--leader', '2'], /^--leader 2: only with a spec file as --current; --stack reads the leader/);
  });

  test.each([['--bake-time', '0'], ['--skip-backup'], ['--base-dir', '/srv/zk']])('plan --stack %s: refused, since the stack\'s apply command says it', async (...flag) => {
    await refused(['plan', '--stack', 'dev', ...flag], new RegExp(`^--stack reads the credentials, hosts, bake and backup settings from the stack's own apply command \\(what deploy runs\\); drop ${flag[0]}$`));
  });

  test.each<[string, object, RegExp]>([
    ['duplicate member ids', { members: [server(1), server(2), server(2)] }, /members\.2\.id: duplicate id 2/],
    ['a member port out of range', { members: [server(1), server(2), { ...server(3), clientPort: 70000 }] }, /members\.2\.clientPort: must be in 1\.\.65535/],
    ['a member port 0', { members: [server(1), server(2), { ...server(3), electionPort: 0 }] }, /members\.2\.electionPort: must be in 1\.\.65535/],
    ['a member on the wildcard', { members: [server(1), server(2), { ...server(3), host: '0.0.0.0' }] }, /members\.2\.host: 0\.0\.0\.0 is the wildcard address/],
    ['a joiner that is already a member', { joiners: [server(3)] }, /joiners\.0\.id: id 3 is already a member/],
    ['duplicate observations', { observations: [{ id: 1, up: true, synced: true }, { id: 1, up: false, synced: false }] }, /observations\.1\.id: duplicate id 1/],
    ['a leader that is not a member', { leaderId: 9 }, /leaderId: 9 is not a voting member/],
  ])('plan: a snapshot with %s', async (_label, more, message) => {
    await refused(['plan', '--desired', desired, '--current', snapshot(more)], new RegExp(`^snapshot .*: ${message.source}`));
  });

  test.each<[string, string[], RegExp]>([
    ['an --ensemble name too long', ['teardown', '--ensemble', `z${'k'.repeat(63)}`], /^--ensemble zk+: not an ensemble name \(a lower-case letter, then lower-case letters, digits and dashes; at most 63\)$/],
    ['an --ensemble name starting with a digit', ['teardown', '--ensemble', '1zk'], /^--ensemble 1zk: not an ensemble name/],
    ['an --ensemble name with a newline', ['teardown', '--ensemble', 'zk\nx'], /^--ensemble zk\nx: not an ensemble name/],
    ['--sync-timeout in hex', ['apply', '--desired', desired, '--sync-timeout', '0x1e'], /^--sync-timeout 0x1e: must be a positive number of seconds/],
    ['--quorum-timeout -1', ['apply', '--desired', desired, '--quorum-timeout', '-1'], /^--quorum-timeout -1: must be a positive number of seconds/],
    ['--drain-timeout NaN', ['apply', '--desired', desired, '--drain-timeout', 'NaN'], /^--drain-timeout NaN: must be a positive number of seconds/],
    ['--sync-timeout above a day', ['apply', '--desired', desired, '--sync-timeout', '86401'], /^--sync-timeout 86401: .*at most 86400/],
    ['--events with a newline', ['apply', '--desired', desired, '--events', 'ev\n.jsonl'], /^--events ev\n\.jsonl: must be a file name without control characters$/],
    ['--password-file with a newline', ['apply', '--desired', desired, '--password-file', 'pw\n'], /^--password-file pw\n: must be a file name without control characters$/],
    ['--base-dir with a newline', ['teardown', '--ensemble', 'zk', '--base-dir', '.zk\n'], /^--base-dir \.zk\n: must be a file name without control characters$/],
  ])('apply and teardown: %s', async (_label, words, message) => {
    await refused(words, message);
  });

  test('fractional seconds to the millisecond, and 0 for the bake, are taken', async () => {
    await expect(parse(['apply', '--desired', desired, '--sync-timeout', '0.5', '--drain-timeout', '86400', '--quorum-timeout', '1.125', '--bake-time', '0'])).resolves.toBeUndefined();
    await expect(parse(['teardown', '--ensemble', `z${'k'.repeat(62)}`])).resolves.toBeUndefined();
  });
});
