import type { ChalkInstance } from 'chalk';
import type { Argv } from 'yargs';
import type { VerifyResult } from '../../verify/types.js';
import { outputContext, plural, runCommand } from '../output.js';
import { commonOptions, withTargetOptions, type TargetArgs } from '../target-options.js';

/**
 * `tenantform verify <manifests..>`: for each confidential client, get a token with the written config,
 * validate it like the web API would, check the claims the manifest implies, and print a pass/fail table
 * with the next step for every failure. Exit 1 on any failure.
 */
export function verifyCommand(y: Argv): Argv {
  return y.command(
    'verify <manifests..>',
    'Prove each daemon gets a token its API accepts, with the written config',
    (a) =>
      withHomeTenant(withTargetOptions(a)).option('user', {
        type: 'string',
        describe:
          'Also prove each delegated chain (middle tier → On-Behalf-Of → downstream API) by signing in as this user (upn); the password is read from TENANTFORM_VERIFY_PASSWORD',
      }),
    async (args) => {
      const ctx = outputContext({ json: args.json });
      await runCommand(ctx, 'verify', async () => {
        const { verify } = await import('../../verify/index.js');
        const r = await verify({ ...(await commonOptions(args as unknown as TargetArgs, verifyProgress)), ...homeTenantOf(args), ...userOf(args) });
        return verifyResult(r);
      });
    },
  );
}

/** `--home-tenant`: the tenant that registers a multi-tenant app, when --tenant is a customer tenant (see docs/verify.md). */
export function withHomeTenant<T>(y: Argv<T>) {
  return y.option('home-tenant', {
    type: 'string',
    describe: "Tenant that registers the (multi-tenant) apps, when --tenant is a customer tenant: 'local', a tenant id or a domain",
  });
}

export function homeTenantOf(args: { 'home-tenant'?: unknown }): { homeTenant?: string } {
  return typeof args['home-tenant'] === 'string' && args['home-tenant'] ? { homeTenant: args['home-tenant'] } : {};
}

export function userOf(args: { user?: unknown }): { user?: string } {
  return typeof args.user === 'string' && args.user ? { user: args.user } : {};
}

/** Replication waits go to stderr, even without a TTY and with --json (stdout stays clean): CI logs show them. */
export function verifyProgress(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function verifyResult(r: VerifyResult) {
  return {
    outcome: r.ok ? ('ok' as const) : ('error' as const),
    ...(r.ok ? {} : { error: { code: 'VERIFY_FAILED', message: 'A daemon did not get a token its API accepts; the table says why and what to do.' } }),
    data: { verify: r },
    text: (style: ChalkInstance) => renderVerify(r, style),
  };
}

/** A pass/fail table, then one block per failure: problem and next step. */
export function renderVerify(r: VerifyResult, style: ChalkInstance): string {
  const head = ['CLIENT', 'API', 'CHECK', 'RESULT', 'DETAIL'];
  const body = r.checks.map((c) => [c.client || '-', c.api, c.check, c.ok ? (c.skipped ? 'skip' : 'ok') : 'FAIL', c.detail]);
  const width = head.slice(0, 4).map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[], color = (s: string) => s) =>
    cells.map((cell, i) => (i < 4 ? (i === 3 ? color(cell.padEnd(width[i])) : cell.padEnd(width[i])) : cell)).join('  ');
  const lines = [style.bold(`verify: tenant ${r.tenant.id}${r.tenant.authority ? ` (${r.tenant.authority})` : ''}`), style.dim(line(head))];
  for (const b of body) lines.push(line(b, b[3] === 'ok' ? style.green : b[3] === 'skip' ? style.dim : style.red));
  const failures = r.checks.filter((c) => !c.ok);
  for (const f of failures) {
    lines.push('', `${style.red('✗')} ${style.bold(f.client ? `${f.client} → ${f.api}` : f.api)}: ${f.check}`);
    if (f.diagnosis) {
      lines.push(`  ${style.dim('problem:')} ${f.diagnosis.problem}`, `  ${style.dim('next:')}    ${f.diagnosis.next}`);
    }
  }
  lines.push(
    '',
    failures.length
      ? style.red(`${plural(failures.length, 'check')} of ${r.checks.length} failed.`)
      : style.green(
          `All ${plural(r.checks.filter((c) => !c.skipped).length, 'check')} passed${r.checks.some((c) => c.skipped) ? `, ${r.checks.filter((c) => c.skipped).length} skipped` : ''}${r.waitedMs > 1000 ? ` (waited ${(r.waitedMs / 1000).toFixed(1)} s for replication)` : ''}.`,
        ),
  );
  return lines.join('\n');
}
