import { createServer } from 'node:net';

/**
 * A loopback port that was free a moment ago, for code that must name its port before it listens (a
 * public URL in its config, a child process). Another process can take it in between: prefer
 * `listen(0)` wherever the code under test can report the port it got.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('the loopback listener reported no port'));
      });
    });
  });
}
