/** One environment's stack: its ZooKeeper ensemble on loopback. */
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ZooKeeperEnsemble } from '../lib/constructs';
import { ensembleProps, Environment } from './environments';

export class ZooKeeperStack extends TerraformStack {
  readonly zookeeper: ZooKeeperEnsemble;

  constructor(scope: Construct, env: Environment) {
    super(scope, env.stack);
    this.zookeeper = new ZooKeeperEnsemble(this, 'zk', ensembleProps(env));
  }
}
