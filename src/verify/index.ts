/**
 * `tenantform verify`: prove that each confidential client of the manifests gets a token its API accepts,
 * using the config that was written for it — and, when it does not, say what to do next.
 * See docs/verify.md.
 */
import { isTenantformError } from '../errors.js';
import { authorityFor } from '../outputs/render.js';
import { gatherApply, type Gathered } from '../gather/apply.js';
import type { ApplySnapshot } from '../model/snapshot.js';
import type { CommonOptions } from '../options.js';
import { delegatedProbesFor, type DelegatedProbe } from './delegated.js';
import { PASSWORD_ENV } from './diagnose-delegated.js';
import { toolFailure } from './diagnose.js';
import { probesFor } from './probes.js';
import { runDelegated } from './run-delegated.js';
import { runProbe } from './run.js';
import type { VerifyCheck, VerifyResult } from './types.js';
import { readWrittenConfig } from './written.js';

export type { VerifyCheck, VerifyResult, Diagnosis, DiagnosisCode, CheckName } from './types.js';
export { adminConsentUrls, defaultScope, type ConsentUrls, type ConsentUrlOptions } from './consent.js';

export interface VerifyOptions extends CommonOptions {
  /** Test hook: how to wait between token attempts (default: a real timer). */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Set by `apply --verify`: the grants were just made, so roles missing from the token are waited for even
   * when Graph's replicas do not show them yet (default: only when Graph shows them).
   */
  afterApply?: boolean;
  /** Test hook: the validator's clock in ms (default Date.now), for tests that move the emulator's clock. */
  now?: () => number;
  /**
   * `--user`: the userPrincipalName verify signs in as to prove the delegated chains (middle tier → On-Behalf-Of →
   * downstream API). Its password is read from TENANTFORM_VERIFY_PASSWORD in `env`, never from an option.
   * Without it the delegated chains are reported as skipped.
   */
  user?: string;
}

export async function verify(opts: VerifyOptions): Promise<VerifyResult> {
  const manifests = opts.manifests.join(' ');
  let g: Gathered<ApplySnapshot>;
  try {
    g = await gatherApply(opts);
  } catch (e) {
    // The tool's own identity cannot read the tenant: that is a verify finding with a next step, not a crash.
    if (isTenantformError(e) && (e.code === 'GRAPH_PERMISSION' || e.code === 'AUTH_FAILED')) {
      const diagnosis = toolFailure(e);
      const row: VerifyCheck = { client: '', api: 'Microsoft Graph', check: 'graph-read', ok: false, detail: diagnosis.problem, diagnosis };
      return { ok: false, tenant: { id: opts.tenant ?? 'local', authority: '' }, checks: [row], waitedMs: 0 };
    }
    throw e;
  }
  const { snapshot: s, io } = g;
  const target = io.connection.target;
  try {
    const cwd = io.cwd;
    const tenantId = s.live.tenant.id;
    const homeTenant = (opts as { homeTenant?: string }).homeTenant;
    // Each stack's written config is read once, for its app-only probes and its delegated chains alike.
    const contexts = s.stacks.map((stack) => ({ stack, ctx: { live: s.live, written: readWrittenConfig([stack], cwd), secrets: io.secrets, cwd } }));
    const probes = contexts.flatMap(({ stack, ctx }) => probesFor(stack, ctx));
    const chains = contexts.flatMap(({ stack, ctx }) => delegatedProbesFor(stack, ctx));
    // What every token request of this run shares (app-only probes and delegated chains).
    const shared = {
      tenantId,
      authorityHost: target.authorityHost,
      // In a customer tenant the written config still names the home tenant: the token is requested from the customer's.
      useWrittenAuthority: !homeTenant,
      ca: target.ca,
      cwd,
      deadline: io.connection.deadline,
      progress: opts.progress,
      sleep: opts.sleep,
      now: opts.now,
    };
    const password = opts.env?.[PASSWORD_ENV];
    const delegated = (): Promise<Array<{ checks: VerifyCheck[]; waitedMs: number }>> =>
      Promise.all(
        chains.map((c) =>
          !opts.user || !password
            ? { checks: [notRun(c, opts.user)], waitedMs: 0 }
            : runDelegated(c, {
                ...shared,
                diag: { tenantId, authorityHost: target.authorityHost, manifests, homeTenant, upn: opts.user, live: s.live, local: target.kind === 'local' },
                user: { upn: opts.user, password },
              }),
        ),
      );
    const [results, chainResults] = await Promise.all([
      Promise.all(
        probes.map((p) =>
          runProbe(p, {
            ...shared,
            diag: { tenantId, authorityHost: target.authorityHost, manifests, homeTenant },
            afterApply: opts.afterApply ?? false,
          }),
        ),
      ),
      delegated(),
    ]);
    const read: VerifyCheck = {
      client: '',
      api: 'Microsoft Graph',
      check: 'graph-read',
      ok: true,
      detail: `read tenant ${tenantId} as ${s.tenant.identity}; ${probes.length} client→API pair${probes.length === 1 ? '' : 's'}${
        chains.length ? ` and ${chains.length} delegated chain${chains.length === 1 ? '' : 's'}` : ''
      } to verify`,
    };
    const checks = [read, ...results.flatMap((r) => r.checks), ...chainResults.flatMap((r) => r.checks)];
    return {
      ok: checks.every((c) => c.ok),
      tenant: { id: tenantId, authority: authorityFor(s.live.tenant, target.authorityHost, target.kind === 'local') },
      checks,
      waitedMs: Math.max(0, ...results.map((r) => r.waitedMs), ...chainResults.map((r) => r.waitedMs)),
    };
  } finally {
    await io.close();
  }
}

/** A delegated chain verify did not run: skipped without --user; a failure with --user but no password. */
function notRun(c: DelegatedProbe, user: string | undefined): VerifyCheck {
  const api = c.downstream.map((d) => d.api.label).join(', ');
  if (!user) {
    return {
      client: c.label,
      api,
      check: 'delegated',
      ok: true,
      skipped: true,
      detail: `skipped: pass --user <upn> and ${PASSWORD_ENV} to prove the delegated chain`,
    };
  }
  return {
    client: c.label,
    api,
    check: 'delegated',
    ok: false,
    detail: `${PASSWORD_ENV} is not set`,
    diagnosis: {
      code: 'user-password-missing',
      problem: `--user ${user} was given but ${PASSWORD_ENV} is not set, so verify cannot sign in as that user.`,
      next: `Set ${PASSWORD_ENV} to ${user}'s password in the environment (never on the command line) and re-run verify.`,
    },
  };
}
