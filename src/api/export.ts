/**
 * `tenantform export`: bring registrations made elsewhere (the portal, scripts, other tools) under management.
 * gather (read-only Graph reads) → the pure exporter (src/export/: manifest text, comments, warnings, and its
 * self-check against the real validator and planner) → the file, written atomically → optionally `adopt`, the
 * very code path of `tenantform import`, with the same refusals, so the next apply manages the applications.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TenantformError } from '../errors.js';
import { checkExport, exportManifest, importCommand, type ExportManifestResult } from '../export/index.js';
import { gatherExport, type ExportSelectionOptions } from '../gather/export.js';
import { writeFileAtomic } from '../lib/atomic-write.js';
import { STACK_NAME, STACK_NAME_MAX } from '../manifest/schema.js';
import type { CommonOptions, ImportOptions } from '../options.js';
import { adopt, type ImportResult } from './import.js';

export interface ExportOptions extends Omit<CommonOptions, 'manifests' | 'stackSuffix'>, ExportSelectionOptions {
  /** The stack the manifest declares (and the applications are adopted into). */
  stack: string;
  /** Write the manifest here (atomically); without it the result only carries the text. */
  out?: string;
  /** Replace an existing `out` file. */
  force?: boolean;
  /** After writing, adopt the applications into the stack exactly as `tenantform import` does (needs `out`). */
  adopt?: boolean;
  /** adopt: called with the import plan before anything is written to the tenant; return false to cancel. */
  confirm?: ImportOptions['confirm'];
  signal?: AbortSignal;
  /** The `$schema=` of the first line; default: the package's schema/tenantform.schema.json, relative to the file. */
  schemaRef?: string;
}

export interface ExportResult {
  /** The manifest. */
  text: string;
  /** Where it was written (as given), when `out` was. */
  file?: string;
  stack: string;
  apps: ExportManifestResult['apps'];
  /** What the manifest cannot say, one line each (also comments in the text). */
  warnings: string[];
  /** The exporter's self-check: validation problems of the text (none expected). */
  problems: string[];
  /** What the first apply after adoption would still change (the planner's view; empty when nothing). */
  pendingChanges: string[];
  /** The command that adopts the applications, when not adopted here. */
  importCommand?: string;
  /** The adoption (`adopt: true`). */
  adopted?: ImportResult;
}

export async function exportStack(opts: ExportOptions): Promise<ExportResult> {
  const cwd = opts.cwd ?? process.cwd();
  checkOptions(opts, cwd);
  const g = await gatherExport(opts);
  const out = opts.out ? resolve(cwd, opts.out) : undefined;
  const result = exportManifest(g.read, { stack: opts.stack, schemaRef: opts.schemaRef ?? schemaRefFor(out ? dirname(out) : cwd), now: g.now });
  const { authorityHost: _host, permissions: _p, ...tenant } = g.tenant;
  const check = checkExport({ file: opts.out ?? '<export>', result, read: g.read, secrets: g.secrets, certificates: g.certificates, tenant, now: g.now, cwd });
  if (out) {
    // Checked before reading too; again here, as the file may have appeared meanwhile.
    if (!opts.force && existsSync(out)) throw exists(opts.out!);
    writeFileAtomic(out, result.text, 0o644);
    opts.onWrite?.(`export ${opts.out}`);
  }
  const base: ExportResult = {
    text: result.text,
    ...(opts.out ? { file: opts.out } : {}),
    stack: opts.stack,
    apps: result.apps,
    warnings: result.warnings,
    problems: check.problems,
    pendingChanges: check.changes,
  };
  if (!opts.adopt) return { ...base, importCommand: importCommand(opts.out, result.apps) };
  if (check.problems.some((p) => / error: /.test(p))) {
    throw new TenantformError(
      'VALIDATION_FAILED',
      `The exported manifest ${opts.out} does not validate, so nothing was adopted: ${check.problems.join('; ')}. Fix it, then run ${importCommand(opts.out!, result.apps) ?? 'tenantform import'}.`,
      { problems: check.problems },
    );
  }
  const apps = Object.fromEntries(result.apps.map((a) => [a.key, a.appId]));
  // Exactly `tenantform import <file> --app …` (its refusals included); an ambient stack suffix must not redirect it.
  const adopted = await adopt({ ...opts, manifests: [opts.out!], apps, stackSuffix: '', confirm: opts.confirm, signal: opts.signal });
  return { ...base, adopted };
}

/** Every refusal that needs no tenant, before signing in. */
function checkOptions(opts: ExportOptions, cwd: string): void {
  if (!STACK_NAME.test(opts.stack) || opts.stack.length > STACK_NAME_MAX) {
    throw new TenantformError(
      'USAGE',
      `--stack "${opts.stack}" is not a stack name: at most ${STACK_NAME_MAX} lowercase letters and digits, words joined by single hyphens (e.g. todo-web).`,
      { flag: '--stack' },
    );
  }
  if (!opts.apps?.length && opts.filter === undefined && !opts.ownedByMe) {
    throw new TenantformError(
      'USAGE',
      'Choose the applications to export: --app <appId|displayName> (repeatable), --filter <OData $filter>, or --owned-by-me.',
    );
  }
  if (opts.adopt && !opts.out) {
    throw new TenantformError('USAGE', '--adopt needs --out <file>: the applications are adopted into the stack of that manifest.', { flag: '--adopt' });
  }
  if (opts.out && !opts.force && existsSync(resolve(cwd, opts.out))) throw exists(opts.out);
}

function exists(file: string): TenantformError {
  return new TenantformError('USAGE', `${file} already exists; export never overwrites a manifest unless you add --force.`, { flag: '--out', file });
}

/**
 * The schema the editor should use: this package's schema/tenantform.schema.json, relative to the directory of
 * the file (found by walking up from this module: src/api in a checkout, dist/… when bundled); else the bare name
 * `tenantform schema > tenantform.schema.json` writes.
 */
function schemaRefFor(dir: string): string {
  let at = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, at = dirname(at)) {
    const file = join(at, 'schema', 'tenantform.schema.json');
    if (existsSync(file) && existsSync(join(at, 'package.json'))) return relative(dir, file).split('\\').join('/');
  }
  return 'tenantform.schema.json';
}
