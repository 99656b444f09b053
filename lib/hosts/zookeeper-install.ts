/** Finds the ZooKeeper jars: ZOOKEEPER_HOME (Apache tarball) or Debian's package in /usr/share/java. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const DEBIAN_JAR = '/usr/share/java/zookeeper.jar';

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
    // Debian's jar names its dependencies in its manifest; slf4j-simple gives the server a log backend.
    return [DEBIAN_JAR, '/usr/share/java/slf4j-simple.jar'].filter(existsSync).join(':');
  }
  throw new Error(`ZooKeeper not found: install Debian's package (apt-get install zookeeper, jars in /usr/share/java) or set ZOOKEEPER_HOME to an Apache ZooKeeper 3.8 directory`);
}
