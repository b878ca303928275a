/**
 * The pure core of `tenantform export`: what was read from the tenant (model/export.ts) → a manifest for one
 * stack, with everything the manifest cannot say reported as comments and warnings. No I/O; the caller
 * gathers (gather/export.ts) and writes (api/export.ts).
 */
import { TenantformError } from '../errors.js';
import { exportApplication } from './application.js';
import { exportContext } from './context.js';
import { assignKeys } from './keys.js';
import { renderManifest } from './render.js';
import type { ExportInput, ExportManifestResult } from './types.js';

export type { ExportInput, ExportManifestResult, ExportUsers } from './types.js';

export interface ExportManifestOptions {
  stack: string;
  /** The `$schema=` reference of the first line (a path relative to the file, or a URL). */
  schemaRef: string;
  /** ms since the epoch: the time the header names. */
  now: number;
}

export function exportManifest(read: ExportInput, opts: ExportManifestOptions): ExportManifestResult {
  if (!read.applications.length) {
    throw new TenantformError('RESOLVE_FAILED', `No applications to export in tenant ${read.tenant.id}: check --app, --filter or --owned-by-me.`);
  }
  const keys = assignKeys(
    read.applications.map((a) => ({ appId: String(a.app.appId), displayName: String(a.app.displayName ?? ''), uniqueName: a.app.uniqueName })),
  );
  const ctx = exportContext(opts.stack, read, keys);
  // In key order: the same applications give the same file, whatever order Graph listed them in.
  const apps = read.applications.map((a) => exportApplication(ctx, a)).sort((a, b) => a.key.localeCompare(b.key));
  const tenantWarnings: string[] = [];
  const refused = read.applications.find((a) => 'refused' in a.owners)?.owners;
  if (refused && 'refused' in refused) {
    tenantWarnings.push(
      `owners could not be read (${refused.refused.status} ${refused.refused.code}): owners are not managed by tenantform; check them in the admin center`,
    );
  }
  const tenant = read.tenant.displayName ? `${read.tenant.id} (${read.tenant.displayName})` : read.tenant.id;
  const text = renderManifest({
    schemaRef: opts.schemaRef,
    header: [
      `Exported by tenantform export from tenant ${tenant} at ${new Date(opts.now).toISOString()}.`,
      'Lines starting with "!" name what this manifest cannot say; review them before adopting the applications.',
      ...tenantWarnings.map((w) => `! ${w}`),
    ],
    stack: opts.stack,
    apps: apps.map((a) => ({ key: a.key, body: a.body, header: a.notes.header, footer: a.notes.footer })),
  });
  return {
    text,
    stack: opts.stack,
    apps: apps.map(({ key, appId, objectId, displayName, adoptable }) => ({ key, appId, objectId, displayName, adoptable })),
    warnings: [...tenantWarnings, ...apps.flatMap((a) => a.notes.warnings)],
  };
}

/** The `tenantform import` command that adopts what was exported (only the applications it would accept); `<file>` when printed. */
export function importCommand(file: string | undefined, apps: ExportManifestResult['apps']): string | undefined {
  const adoptable = apps.filter((a) => a.adoptable);
  if (!adoptable.length) return undefined;
  return ['tenantform import', file === undefined ? '<file>' : quoteArg(file), ...adoptable.map((a) => `--app ${a.key}=${a.appId}`)].join(' ');
}

function quoteArg(s: string): string {
  return /^[A-Za-z0-9_./:@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export { checkExport, type ExportCheck } from './check.js';
