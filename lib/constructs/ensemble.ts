/**
 * ZooKeeperEnsemble: one record resource per server (so `cdktf diff` lists servers added, removed and
 * changed), one rollout resource whose create-time local-exec runs `zk-rollout apply` with the desired
 * spec, and one lifecycle resource whose destroy-time local-exec stops the servers.
 */
import { adoptedServers, withoutRun } from '../model/existing';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Annotations, App, Lazy, LocalBackend, LocalExecProvisioner, TerraformBackend, TerraformOutput, TerraformResource, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Ensemble, EnsembleSpec, Server } from '../model/types';
import { DEFAULT_LOCAL_BASE_DIR } from '../model/defaults';
import { CONTROL_CHARS, SpecError, SpecProblem, validateEnsembleSpec } from '../model/validate';
import { APPLY_FLAGS, secondsProblem } from '../model/handler-args';
import { settingsHash } from '../model/settings-hash';
import { clientConnectString, transitionalConnectString } from '../model/connect-string';
import { sizingAdvice } from '../model/sizing';
import { checkHostsConfig, HostsConfig } from '../hosts/config';
import { applyCommand, DESIRED_ENV, HOSTS_ENV, PREVIOUS_ENV, handlerScript, portablePath, teardownCommand, terraformLiteral } from './handler-command';
import { ResourceKind, RolloutTimeoutsProps, ZooKeeperEnsembleProps } from './props';
import { keyServersById } from './keyed-servers';
import { kindResource } from './resources';
import { previousSpecInState } from './terraform-json';

/** The local host driver's base directory (see lib/model/defaults). */
export const DEFAULT_BASE_DIR = DEFAULT_LOCAL_BASE_DIR;

/**
 * The spec handed to the handler: normalised (every default filled in), so later default changes cannot
 * move a deployed ensemble. TLS goes back where a spec declares it (`tls`, and each server's keystore and
 * secure port); without it the text is the normalised ensemble as before.
 */
export function desiredSpecJson(e: Ensemble): string {
  const tls = e.settings.tls;
  if (!tls) return JSON.stringify(e);
  const { servers: perServer, ...shared } = tls;
  const { tls: _tls, ...settings } = e.settings;
  return JSON.stringify({ ...e, servers: e.servers.map((s) => ({ ...s, ...(perServer[String(s.id)] ?? {}) })), settings, tls: shared });
}

export class ZooKeeperEnsemble extends Construct {
  /** The validated, normalised ensemble this construct declares. */
  readonly ensemble: Ensemble;
  /** `host:port,...` of every member, for applications and other stacks. */
  readonly connectString: string;
  /**
   * The previous deploy's servers and this one's together: what clients should use while the
   * membership moves (resolved at synth from the stack's local Terraform state; see README).
   */
  readonly transitionalConnectString: string;
  /** The rollout resource: depend on it to run after the ensemble has converged. */
  readonly rollout: TerraformResource;
  readonly serverRecords: ReadonlyMap<number, TerraformResource>;
  readonly resourceKind: ResourceKind;

  constructor(scope: Construct, id: string, props: ZooKeeperEnsembleProps) {
    super(scope, id);
    const { ensemble, hosts } = validate(this, id, props);
    this.ensemble = ensemble;
    this.resourceKind = props.resourceKind ?? 'terraform_data';
    if (!['terraform_data', 'null_resource'].includes(this.resourceKind)) {
      throw new Error(`ZooKeeperEnsemble ${id}: resourceKind: must be terraform_data or null_resource, not ${String(this.resourceKind)}`);
    }
    const name = this.ensemble.name;
    const desired = desiredSpecJson(this.ensemble);
    this.connectString = clientConnectString(this.ensemble.servers);
    if (props.sizingWarnings !== false) for (const advice of sizingAdvice(this.ensemble)) Annotations.of(this).addWarning(advice);

    // The handler runs from the app's directory, whatever directory Terraform runs in.
    const appDir = process.cwd();
    const stackDir = join(resolve(App.of(this).outdir), 'stacks', TerraformStack.of(this).node.id);
    const commandOptions = {
      script: portablePath(appDir, handlerScript()),
      baseDir: (hosts.driver === 'local' ? hosts.baseDir : undefined) ?? DEFAULT_BASE_DIR,
      hostsFromEnv: hosts.driver === 'ssh',
      superuser: props.superuser,
      timeouts: props.timeouts,
      deleteData: props.deleteDataOnDestroy === true,
      rollbackOnFailure: props.rollbackOnFailure === true,
      ...(props.eventsFile !== undefined ? { eventsFile: props.eventsFile } : {}),
      ...(props.backupBeforeRollout === false ? { backup: false as const } : typeof props.backupBeforeRollout === 'object' ? { backup: props.backupBeforeRollout } : {}),
    };
    // The ssh driver's settings travel as JSON in the environment, like the spec (paths only, no secrets).
    const hostsEnv: Record<string, string> = hosts.driver === 'ssh' ? { [HOSTS_ENV]: terraformLiteral(JSON.stringify(hosts)) } : {};
    const exec = (command: string, extra: Partial<LocalExecProvisioner> = {}): LocalExecProvisioner => ({
      type: 'local-exec', command, workingDir: terraformLiteral(portablePath(stackDir, appDir)), ...extra,
    });
    const withHosts = (e: LocalExecProvisioner): LocalExecProvisioner => {
      const environment = { ...hostsEnv, ...(e.environment ?? {}) };
      return Object.keys(environment).length > 0 ? { ...e, environment } : e;
    };

    const lifecycle = kindResource(this, 'lifecycle', this.resourceKind, {
      name: `${name}_lifecycle`,
      // Only the name: a change here must never replace (and so tear down) a running ensemble.
      record: { ensemble: name },
      // An adopted ensemble's servers are stopped the way they are declared to run: the teardown reads them from the spec.
      provisioners: [withHosts(exec(teardownCommand({ ...commandOptions, ensemble: name, withSpec: adoptedServers(this.ensemble).length > 0 }), {
        when: 'destroy', ...(adoptedServers(this.ensemble).length > 0 ? { environment: { [DESIRED_ENV]: terraformLiteral(desired) } } : {}),
      }))],
    });

    const records = new Map<number, TerraformResource>();
    for (const s of this.ensemble.servers) {
      records.set(s.id, kindResource(this, `server-${s.id}`, this.resourceKind, {
        name: `${name}_server_${s.id}`,
        record: { id: s.id, host: s.host, clientPort: s.clientPort, quorumPort: s.quorumPort, electionPort: s.electionPort, role: s.role, settingsHash: settingsHash(this.ensemble.settings, s.id) },
      }));
    }
    this.serverRecords = records;

    this.rollout = kindResource(this, 'rollout', this.resourceKind, {
      name: `${name}_rollout`,
      // Servers keyed by id, so that `cdktf diff` shows servers added and removed rather than shifted by position.
      record: keyServersById(JSON.parse(desired) as object) as Record<string, object>,
      replaceOn: createHash('sha256').update(desired).update(JSON.stringify(commandOptions)).update(JSON.stringify(hosts)).digest('hex'),
      provisioners: [withHosts(exec(applyCommand(commandOptions), { environment: {
        [DESIRED_ENV]: terraformLiteral(desired),
        // The servers the last deploy left: the handler looks for the running ensemble there too.
        [PREVIOUS_ENV]: Lazy.stringValue({ produce: () => terraformLiteral(JSON.stringify(previousServers(this, this.ensemble) ?? [])) }),
      } }))],
      dependsOn: [lifecycle, ...records.values()],
    });

    new TerraformOutput(this, 'connect-string', { value: this.connectString, description: `client connect string of ZooKeeper ensemble ${name}` })
      .overrideLogicalId(`${name}_connect_string`);
    this.transitionalConnectString = Lazy.stringValue({ produce: () => transitionalFromState(this, this.ensemble) });
    new TerraformOutput(this, 'transitional-connect-string', {
      value: this.transitionalConnectString,
      description: `ZooKeeper ensemble ${name}: the previous and the new servers; move clients here before the deploy, to ${name}_connect_string after it`,
    }).overrideLogicalId(`${name}_transitional_connect_string`);
    new TerraformOutput(this, 'members', {
      value: this.ensemble.servers.map((s) => ({ id: s.id, address: `${s.host}:${s.clientPort}`, role: s.role })),
      description: `members of ZooKeeper ensemble ${name}`,
    }).overrideLogicalId(`${name}_members`);
  }
}

/**
 * The most bytes of JSON one environment variable of the handler may carry. Linux refuses a single
 * variable over 128 KiB (MAX_ARG_STRLEN) with E2BIG, and local-exec would then fail at deploy.
 */
export const MAX_ENV_JSON_BYTES = 100000;

const TIMEOUT_FLAGS: Readonly<Record<keyof RolloutTimeoutsProps, (typeof APPLY_FLAGS)['syncSeconds']>> = {
  syncSeconds: APPLY_FLAGS.syncSeconds, drainSeconds: APPLY_FLAGS.drainSeconds, quorumSeconds: APPLY_FLAGS.quorumSeconds, bakeSeconds: APPLY_FLAGS.bakeSeconds,
};

/** The construct's own props: what the handler gets on its command line, checked as the CLI will check it. */
function propProblems(props: ZooKeeperEnsembleProps): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const timeouts = (props.timeouts ?? {}) as Record<string, unknown>;
  for (const [field, value] of Object.entries(timeouts)) {
    const flag = TIMEOUT_FLAGS[field as keyof RolloutTimeoutsProps];
    if (!flag) { problems.push({ where: 'timeouts', field, message: `unknown field; allowed: ${Object.keys(TIMEOUT_FLAGS).join(', ')}` }); continue; }
    if (value === undefined) continue;
    const problem = typeof value === 'number' ? secondsProblem(flag, String(value)) : 'must be a number of seconds';
    if (problem) problems.push({ where: 'timeouts', field, message: `${problem}, not ${String(value)}` });
  }
  const file = (value: string | undefined, where: string, field: string) => {
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '' || CONTROL_CHARS.test(value))) {
      problems.push({ where, field, message: 'must be a file name, without control characters' });
    }
  };
  file(props.eventsFile, 'ensemble', 'eventsFile');
  file(props.superuser?.passwordFile, 'superuser', 'passwordFile');
  const backup = props.backupBeforeRollout;
  if (backup !== undefined && typeof backup !== 'boolean') {
    file(backup.dir, 'backupBeforeRollout', 'dir');
    if (backup.keep !== undefined && !(Number.isInteger(backup.keep) && backup.keep >= 1)) problems.push({ where: 'backupBeforeRollout', field: 'keep', message: `must be a whole number of backups, at least 1, not ${String(backup.keep)}` });
  }
  return problems;
}

/** An ensemble of the same name declared earlier in this stack: they would share resources, outputs and servers. */
function sameNameProblems(self: Construct, name: unknown): SpecProblem[] {
  const other = TerraformStack.of(self).node.findAll()
    .find((c) => c !== self && c instanceof ZooKeeperEnsemble && (c as { ensemble?: Ensemble }).ensemble?.name === name);
  return other ? [{ where: 'ensemble', field: 'name', message: `${String(name)} is already the name of ZooKeeperEnsemble ${other.node.path} in this stack; two ensembles with one name would share their resources, outputs and servers` }] : [];
}

/** What the handler is handed in its environment must fit there (see MAX_ENV_JSON_BYTES). */
function sizeProblem(where: string, field: string, what: string, json: string): SpecProblem[] {
  const bytes = Buffer.byteLength(terraformLiteral(json), 'utf8');
  return bytes <= MAX_ENV_JSON_BYTES ? [] : [{
    where, field,
    message: `${what} is ${bytes} bytes as JSON, over the ${MAX_ENV_JSON_BYTES} that fit in the environment variable the deploy hands it to zk-rollout in (Linux refuses one over 128 KiB: E2BIG)`,
  }];
}

/**
 * Every problem of the props at once, each named by server (or part) and field: the spec, the host
 * driver settings, the timeouts and files the handler gets, the name's uniqueness in the stack, and the
 * size of what travels in the environment. Nothing is created when there is one.
 */
function validate(self: Construct, id: string, props: ZooKeeperEnsembleProps): { ensemble: Ensemble; hosts: HostsConfig } {
  // Only the spec's own fields: the construct's props (hosts, timeouts, ...) are not part of the spec.
  const spec: EnsembleSpec = { name: props.name, servers: props.servers, settings: props.settings, strategy: props.strategy, standalone: props.standalone, existing: props.existing, tls: props.tls };
  const result = validateEnsembleSpec(spec);
  const checked = checkHostsConfig(props.hosts ?? { driver: 'local' as const });
  const problems: SpecProblem[] = [
    ...(result.ok ? [] : result.problems),
    ...(checked.ok ? [] : checked.problems.map((p) => ({ where: 'hosts', ...p }))),
    ...propProblems(props),
    ...sameNameProblems(self, props.name),
  ];
  if (result.ok && checked.ok) {
    const hosts = hostsConfigOf(checked.config, result.ensemble);
    problems.push(...sizeProblem('ensemble', '(spec)', 'the spec', desiredSpecJson(result.ensemble)));
    if (hosts.driver === 'ssh') problems.push(...sizeProblem('hosts', '(hosts)', 'the host driver settings', JSON.stringify(hosts)));
    if (problems.length === 0) return { ensemble: result.ensemble, hosts };
  }
  throw new SpecError(problems, `ZooKeeperEnsemble ${id} (${String(props.name)})`);
}

/**
 * The host driver settings the handler gets, validated at synth. For ssh, every server's host joins
 * the inventory of machines, so that the rollout looks for servers on each of them.
 */
function hostsConfigOf(config: HostsConfig, ensemble: Ensemble): HostsConfig {
  if (config.driver !== 'ssh') return config;
  const machines = { ...Object.fromEntries(ensemble.servers.map((s) => [s.host, {}])), ...(config.machines ?? {}) };
  return { ...config, machines };
}

/**
 * The servers of the last deploy (from the stack's Terraform state, when it is the local backend that
 * cdktf uses by default) together with the desired ones. Without a readable previous state (a first
 * deploy, a remote backend) it is the desired connect string.
 */
function transitionalFromState(scope: Construct, desired: Ensemble): string {
  const stack = TerraformStack.of(scope);
  const backend = stack.node.findAll().find((c) => TerraformBackend.isBackend(c));
  if (backend && !(backend instanceof LocalBackend)) {
    Annotations.of(scope).addInfo(`${desired.name}_transitional_connect_string equals the final connect string: the previous servers are read from a local state file only`);
    return clientConnectString(desired.servers);
  }
  return transitionalConnectString(previousServers(scope, desired) ?? [], desired.servers);
}

/** The servers of the last deploy, from a local state file; null with a remote backend. */
function previousServers(scope: Construct, desired: Ensemble): readonly Server[] | null {
  const stack = TerraformStack.of(scope);
  const backend = stack.node.findAll().find((c) => TerraformBackend.isBackend(c));
  if (backend && !(backend instanceof LocalBackend)) return null;
  const configured = (backend as unknown as { props?: { path?: string } } | undefined)?.props?.path;
  const statePath = configured ?? join(process.cwd(), `terraform.${stack.node.id}.tfstate`);
  if (!existsSync(statePath)) return [];
  try {
    const spec = previousSpecInState(JSON.parse(readFileSync(statePath, 'utf8')) as Record<string, unknown>, desired.name)?.spec;
    return spec ? [...spec.servers, ...adoptedServers(spec).map(withoutRun)] : [];
  } catch (e) {
    Annotations.of(scope).addWarning(`${desired.name}: cannot read the previous servers from ${statePath} (${(e as Error).message}); the transitional connect string lists only the new ones`);
    return [];
  }
}
