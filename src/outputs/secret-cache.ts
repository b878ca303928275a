import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KnownSecret, SecretCache } from '../model/local.js';
import { z } from 'zod';
import { TenantformError } from '../errors.js';
import { writeFileAtomic } from '../lib/atomic-write.js';

/** The file's shape: `{ version: 1, stacks: { <stack>: { <app>: { <name>: { keyId, value } } } } }`. */
const CacheFile = z.object({
  version: z.literal(1),
  stacks: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.object({ keyId: z.string().min(1), value: z.string().min(1) })))),
});

/**
 * Read and check the cache. A truncated, garbled or wrongly shaped file is refused with its path and what deleting it
 * costs — never half-read (a `stacks` list was once accepted, and no new secret was ever stored: every apply rotated).
 */
function readCache(file: string): SecretCache {
  const refuse = (why: string) =>
    new TenantformError(
      'OUTPUT_FAILED',
      `The secret cache ${file} ${why}. Restore it from a backup, or delete it: the next apply then adds a new secret for each app (the values in it are lost; tenantform removes the old secrets it made once the outputs hold the new ones).`,
      { path: file },
    );
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw refuse(`is not valid JSON (${(e as Error).message})`);
  }
  const parsed = CacheFile.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw refuse(`does not have the shape tenantform writes (at ${issue.path.join('.') || 'the top'}: ${issue.message})`);
  }
  return parsed.data.stacks;
}

/**
 * The 0600 cache of client secret values this tool created, so a re-apply can reuse a still-valid
 * secret and `output` can re-render config files. One file per tenant under ./.tenantform/secrets/.
 * Losing it costs a new secret on the next apply, never a duplicate app or an orphaned credential.
 *
 * Optional (`secretCache: false`, CLI `--no-secret-cache`): then values live only in memory for the run and in
 * the outputs. The trade-off: no value survives the run, so every apply rotates every secret (it cannot
 * know the current one) and `output` cannot re-render files that hold a secret. See docs/credentials.md.
 */
export class SecretStore {
  private data: SecretCache;
  private chain: Promise<void> = Promise.resolve();
  /** A write that has not started yet: every change made before it starts is in it. */
  private pending: Promise<void> | undefined;
  constructor(
    readonly file: string,
    readonly options: { persist?: boolean; onWrite?: (what: string) => void } = {},
  ) {
    this.data = this.persistent && existsSync(file) ? readCache(file) : {};
  }

  static forTenant(tenantId: string, dir = '.tenantform/secrets', options: { persist?: boolean; onWrite?: (what: string) => void } = {}): SecretStore {
    return new SecretStore(join(dir, `${tenantId}.json`), options);
  }

  get persistent(): boolean {
    return this.options.persist !== false;
  }

  snapshot(): SecretCache {
    return structuredClone(this.data);
  }

  get(stack: string, app: string, name: string): KnownSecret | undefined {
    return this.data[stack]?.[app]?.[name];
  }

  /** Every value held (for GitHub Actions masking). Never logged. */
  values(): string[] {
    return Object.values(this.data).flatMap((apps) => Object.values(apps).flatMap((names) => Object.values(names).map((s) => s.value)));
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

  /**
   * Writes are serialised (parallel addPassword calls must not lose each other's entries) and coalesced: the
   * secrets of one $batch envelope arrive in the same turn of the event loop and share one write (two fsyncs),
   * instead of one write each. Each caller still resumes only once the file on disk holds its secret.
   */
  private persist(): Promise<void> {
    if (!this.persistent) return this.chain;
    if (this.pending) return this.pending;
    const write = this.chain
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => {
        this.pending = undefined;
        writeFileAtomic(this.file, `${JSON.stringify({ version: 1, stacks: this.data }, null, 2)}\n`, 0o600);
        this.options.onWrite?.('secret cache');
      });
    this.pending = write;
    this.chain = write.catch(() => undefined);
    return write;
  }
}
