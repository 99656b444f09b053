import { createServer } from 'node:net';
import { freePorts } from '../../lib/runtime/backup/standalone';

describe('freePorts (the backup check standalone server ports)', () => {
  test('hands out distinct ports, each free to bind afterwards', async () => {
    // Two hundred at once: asked one at a time, the kernel repeats a port in most such draws.
    const ports = await freePorts(200);
    expect(new Set(ports).size).toBe(200);
    for (const port of ports.slice(0, 3)) {
      const srv = createServer();
      await new Promise<void>((resolve, reject) => { srv.once('error', reject); srv.listen(port, '127.0.0.1', () => resolve()); });
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  });
});
