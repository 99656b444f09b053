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
import { parseEnsembleSpec, SpecError } from '../model/validate';
import { settingsHash } from '../model/settings-hash';
import { connectString, transitionalConnectString } from '../model/connect-string';
import { sizingAdvice } from '../model/sizing';
import { parseHostsConfig, HostsConfig } from '../hosts/config';
import { applyCommand, DESIRED_ENV, HOSTS_ENV, PREVIOUS_ENV, handlerScript, portablePath, teardownCommand, terraformLiteral } from './handler-command';
import { HostsProps, ResourceKind, ZooKeeperEnsembleProps } from './props';
import { kindResource } from './resources';
import { previousSpecInState } from './terraform-json';

/** The local host driver's base directory (see lib/model/defaults). */
export const DEFAULT_BASE_DIR = DEFAULT_LOCAL_BASE_DIR;

/** The spec handed to the handler: normalised (every default filled in), so later default changes cannot move a deployed ensemble. */
export function desiredSpecJson(e: Ensemble): string {
  return JSON.stringify(e);
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
    this.ensemble = validate(id, props);
    this.resourceKind = props.resourceKind ?? 'terraform_data';
    if (!['terraform_data', 'null_resource'].includes(this.resourceKind)) {
      throw new Error(`ZooKeeperEnsemble ${id}: resourceKind: must be terraform_data or null_resource, not ${String(this.resourceKind)}`);
    }
    const hosts = hostsConfigOf(id, props.hosts, this.ensemble);
    const name = this.ensemble.name;
    const desired = desiredSpecJson(this.ensemble);
    this.connectString = connectString(this.ensemble.servers);
    if (props.sizingWarnings !== false) for (const advice of sizingAdvice(this.ensemble)) Annotations.of(this).addWarning(advice);

    if (props.eventsFile !== undefined && (props.eventsFile.trim() === '' || /[\x00-\x1f\x7f]/.test(props.eventsFile))) {
      throw new Error(`ZooKeeperEnsemble ${id}: eventsFile: must be a file name, without control characters`);
    }
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

    const hash = settingsHash(this.ensemble.settings);
    const records = new Map<number, TerraformResource>();
    for (const s of this.ensemble.servers) {
      records.set(s.id, kindResource(this, `server-${s.id}`, this.resourceKind, {
        name: `${name}_server_${s.id}`,
        record: { id: s.id, host: s.host, clientPort: s.clientPort, quorumPort: s.quorumPort, electionPort: s.electionPort, role: s.role, settingsHash: hash },
      }));
    }
    this.serverRecords = records;

    this.rollout = kindResource(this, 'rollout', this.resourceKind, {
      name: `${name}_rollout`,
      record: JSON.parse(desired) as object as Record<string, object>,
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

function validate(id: string, props: ZooKeeperEnsembleProps): Ensemble {
  try {
    // Only the spec's own fields: the construct's props (hosts, timeouts, ...) are not part of the spec.
    const spec: EnsembleSpec = { name: props.name, servers: props.servers, settings: props.settings, strategy: props.strategy, standalone: props.standalone, existing: props.existing };
    return parseEnsembleSpec(spec);
  } catch (e) {
    if (e instanceof SpecError) throw new SpecError(e.problems, `ZooKeeperEnsemble ${id} (${props.name})`);
    throw e;
  }
}

/**
 * The host driver settings the handler gets, validated at synth. For ssh, every server's host joins
 * the inventory of machines, so that the rollout looks for servers on each of them.
 */
function hostsConfigOf(id: string, props: HostsProps | undefined, ensemble: Ensemble): HostsConfig {
  const given = props ?? { driver: 'local' as const };
  let config: HostsConfig;
  try {
    config = parseHostsConfig(given, `ZooKeeperEnsemble ${id}: hosts`);
  } catch (e) {
    throw new Error((e as Error).message);
  }
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
    return connectString(desired.servers);
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
