import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KnownSecret, SecretCache } from '../plan/input.js';
import { writeFileAtomic } from './atomic.js';

/**
 * The 0600 cache of client secret values this tool created, so a re-apply can reuse a still-valid
 * secret and `output` can re-render config files. One file per tenant under ./.tenantform/secrets/.
 * Losing it costs a new secret on the next apply, never a duplicate app or an orphaned credential.
 */
export class SecretStore {
  private data: SecretCache;
  private chain: Promise<void> = Promise.resolve();
  constructor(readonly file: string) {
    this.data = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { stacks: SecretCache }).stacks ?? {} : {};
  }

  static forTenant(tenantId: string, dir = '.tenantform/secrets'): SecretStore {
    return new SecretStore(join(dir, `${tenantId}.json`));
  }

  snapshot(): SecretCache {
    return structuredClone(this.data);
  }

  get(stack: string, app: string, name: string): KnownSecret | undefined {
    return this.data[stack]?.[app]?.[name];
  }

  /** Record a new secret and persist at once (before anything else can fail). */
  async set(stack: string, app: string, name: string, secret: KnownSecret): Promise<void> {
    ((this.data[stack] ??= {})[app] ??= {})[name] = secret;
    await this.persist();
  }

  async forgetApp(stack: string, app: string): Promise<void> {
    if (this.data[stack]) delete this.data[stack][app];
    await this.persist();
  }

  private persist(): Promise<void> {
    // Serialise writes: parallel addPassword calls must not lose each other's entries.
    this.chain = this.chain.then(() => writeFileAtomic(this.file, `${JSON.stringify({ version: 1, stacks: this.data }, null, 2)}\n`, 0o600));
    return this.chain;
  }
}
