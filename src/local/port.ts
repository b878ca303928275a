import { createServer } from 'node:net';

/**
 * Whether a process listens on 127.0.0.1:`port`: asked by binding it for a moment, before anything that would write
 * state for a tenant that then never serves (issue 15: the local tenant wrote a fresh state file and TLS key, then
 * found the port taken).
 */
export function isPortInUse(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(true) : reject(e)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}
