/**
 * Many application clients on the native C client, each given the connect string users are told,
 * opened before a change; afterwards every one must get a write acknowledged. One client draws one
 * shuffle of the list, so a reconnect bug that strands some clients (ZOOKEEPER-2466: an even list is
 * retried only half-way) shows only across many.
 */
import { AdminClient } from '../../lib/runtime/admin-client';
import { classify } from '../../lib/runtime/zk-errors';

export class ToldClients {
  private constructor(private readonly connect: string, private clients: AdminClient[]) {}

  /** `count` sessions on `connect`, every address kept (servers not up yet included), as an application's. */
  static async open(connect: string, count: number): Promise<ToldClients> {
    const clients: AdminClient[] = [];
    for (let k = 0; k < count; k++) clients.push(await AdminClient.open({ connect, sessionTimeoutMs: 20000, everyAddress: true }));
    return new ToldClients(connect, clients);
  }

  /**
   * Each client creates `<root>-<its number>`, trying until `withinMs`: after an ended session
   * on a new one, as an application does. Returns the clients that got no acknowledgement, with their last error.
   */
  async writeAfter(root: string, withinMs: number): Promise<string[]> {
    const deadline = Date.now() + withinMs;
    const outcome = await Promise.all(this.clients.map(async (_, k) => {
      let last = 'no answer';
      while (Date.now() < deadline) {
        try {
          const write = this.clients[k].create(`${root}-${k}`, 'after the change');
          write.catch(() => undefined); // a try given up on below may still fail later
          await Promise.race([write, new Promise((_r, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5000))]);
          return null;
        } catch (e) {
          last = (e as Error).message;
          if (classify(e) === 'node-exists') return null; // an earlier try was acknowledged after its wait
          if (this.clients[k].ended) this.clients[k] = await AdminClient.open({ connect: this.connect, sessionTimeoutMs: 20000, everyAddress: true }).catch(() => this.clients[k]);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      return `client ${k}: ${last}`;
    }));
    return outcome.filter((o): o is string => o !== null);
  }

  close(): void {
    for (const c of this.clients) c.close();
  }
}
