/** Finds the ZooKeeper jars: ZOOKEEPER_HOME (Apache tarball) or Debian's package in /usr/share/java. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const DEBIAN_JAR = '/usr/share/java/zookeeper.jar';

/**
 * Debian's jar names its dependencies in its manifest; slf4j-simple gives the server a log backend, and
 * the manifest lacks three Netty jars the TLS code needs (SslHandler's base class is in netty-codec):
 * without them a server with TLS fails on its first quorum or client connection. A missing entry of a
 * Java class path is skipped, so the list serves machines zk-rollout cannot look at too.
 */
export const DEBIAN_CLASSPATH = [DEBIAN_JAR, 'slf4j-simple', 'netty-codec', 'netty-resolver', 'netty-transport-native-unix-common']
  .map((j) => (j.startsWith('/') ? j : `/usr/share/java/${j}.jar`));

export function zookeeperClasspath(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.ZOOKEEPER_HOME;
  if (home) {
    const lib = join(home, 'lib');
    const jars = existsSync(lib) ? readdirSync(lib).filter((f) => f.endsWith('.jar')).map((f) => join(lib, f)) : [];
    const own = existsSync(home) ? readdirSync(home).filter((f) => /^zookeeper-.*\.jar$/.test(f)).map((f) => join(home, f)) : [];
    if (jars.length + own.length === 0) throw new Error(`ZOOKEEPER_HOME=${home} holds no jars (expected ${lib}/*.jar)`);
    return [...own, ...jars].join(':');
  }
  if (existsSync(DEBIAN_JAR)) {
    return DEBIAN_CLASSPATH.filter(existsSync).join(':');
  }
  throw new Error(`ZooKeeper not found: install Debian's package (apt-get install zookeeper, jars in /usr/share/java) or set ZOOKEEPER_HOME to an Apache ZooKeeper 3.8 directory`);
}
