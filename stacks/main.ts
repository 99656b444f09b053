/** The example app: dev, staging and prod, each a stack with one ZooKeeper ensemble on loopback. */
import { App } from 'cdktf';
import { ENVIRONMENTS } from './environments';
import { ZooKeeperStack } from './zookeeper-stack';

const app = new App();
for (const env of ENVIRONMENTS) new ZooKeeperStack(app, env);
app.synth();
