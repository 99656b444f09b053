/**
 * The two resource kinds the construct can synthesize: Terraform's built-in `terraform_data` and
 * `null_resource` from the null provider. Callers describe what they need (a value that shows in
 * `cdktf diff`, a key whose change replaces the resource, provisioners); this maps it onto each kind.
 */
import { DataResource, ITerraformDependable, LocalExecProvisioner, TerraformResource, TerraformStack } from 'cdktf';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource';
import { Construct } from 'constructs';
import { ResourceKind } from './props';

export interface KindResourceOptions {
  /** Terraform name of the resource (stable and readable in `cdktf diff`). */
  readonly name: string;
  /** What the resource records: shown attribute by attribute in the plan. */
  readonly record: Readonly<Record<string, string | number | boolean | object>>;
  /** A change of this value replaces the resource (and so runs its create-time provisioners again). */
  readonly replaceOn?: string;
  readonly provisioners?: LocalExecProvisioner[];
  readonly dependsOn?: ITerraformDependable[];
}

/** null_resource triggers are a map of strings. */
function asStrings(record: KindResourceOptions['record']): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]));
}

function nullProvider(scope: Construct): void {
  const stack = TerraformStack.of(scope);
  if (!stack.node.tryFindChild('zk-null-provider')) new NullProvider(stack, 'zk-null-provider');
}

export function kindResource(scope: Construct, id: string, kind: ResourceKind, o: KindResourceOptions): TerraformResource {
  const meta = { provisioners: o.provisioners, dependsOn: o.dependsOn };
  let resource: TerraformResource;
  if (kind === 'terraform_data') {
    resource = new DataResource(scope, id, { input: o.record, ...(o.replaceOn !== undefined ? { triggersReplace: { key: o.replaceOn } } : {}), ...meta });
  } else {
    nullProvider(scope);
    // A change of any trigger replaces a null_resource, so the record itself is the replace key.
    resource = new NullResource(scope, id, { triggers: { ...asStrings(o.record), ...(o.replaceOn !== undefined ? { replace_on: o.replaceOn } : {}) }, ...meta });
  }
  resource.overrideLogicalId(o.name);
  return resource;
}
