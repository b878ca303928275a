import { decodeJwt } from 'jose';
import { isTenantformError } from '../errors.js';
import { probeAuthority } from '../graph/network.js';
import { withRetry } from '../graph/retry.js';
import type { GraphResponse } from '../graph/transport.js';
import { missingRoles, tokenFailure, type DiagnoseContext } from './diagnose.js';
import type { Probe } from './probes.js';
import { requestToken, type TokenOutcome } from './token.js';
import type { Diagnosis, VerifyCheck } from './types.js';
import { validateToken } from './validate.js';

export interface RunEnv {
  tenantId: string;
  authorityHost: string;
  /** Use the authority the written config names (home tenant) or always the target's (customer tenant). */
  useWrittenAuthority: boolean;
  ca?: string;
  cwd: string;
  deadline: number;
  diag: DiagnoseContext;
  progress?: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
  /** Right after apply: everything the manifest grants may still be replicating (see asResponse). */
  afterApply: boolean;
  now?: () => number;
}

/** Run every check of one (client → API) pair; returns its rows and how long it waited for replication. */
export async function runProbe(p: Probe, env: RunEnv): Promise<{ checks: VerifyCheck[]; waitedMs: number }> {
  const checks: VerifyCheck[] = [];
  const row = (check: VerifyCheck['check'], ok: boolean, detail: string, diagnosis?: Diagnosis) =>
    checks.push({ client: p.client.label, api: p.api.label, check, ok, detail, ...(diagnosis ? { diagnosis } : {}) });

  if (p.missingConfig.length) {
    const files = p.missingConfig.join(', ');
    row('config', false, `${files} ${p.missingConfig.length === 1 ? 'does' : 'do'} not exist`, {
      code: 'config-missing',
      problem: `${files} ${p.missingConfig.length === 1 ? 'does' : 'do'} not exist: that is the config ${p.client.label} reads, so there is nothing to verify (the secret cache or a computed scope would prove something else).`,
      next: `Run \`tenantform apply ${env.diag.manifests}\` (it writes ${files}), or \`tenantform output ${env.diag.manifests}\` to re-render ${p.missingConfig.length === 1 ? 'it' : 'them'} from the tenant and the secret cache; then verify again.`,
      meta: { files: p.missingConfig },
    });
    return { checks, waitedMs: 0 };
  }
  if (!p.credential) {
    row('credential', false, 'no secret or certificate found', {
      code: 'no-credential',
      problem: `Neither the written config nor the 0600 secret cache holds a credential for ${p.client.label}.`,
      next: `Add an output value such as CLIENT_SECRET: \${apps.${p.client.key}.secret} and run \`tenantform apply ${env.diag.manifests}\` (a secret whose value is lost is replaced).`,
    });
    return { checks, waitedMs: 0 };
  }
  row('credential', true, `${p.credential.kind} from ${p.credential.source}`);

  if (!p.api.appId) {
    row('config', false, `${p.api.label} does not exist in the tenant`, {
      code: 'resource-not-found',
      problem: `The API ${p.api.label} does not exist in tenant ${env.tenantId}.`,
      next: p.api.key ? `Run \`tenantform apply ${env.diag.manifests}\`.` : `Create or consent to the API in this tenant, then re-run.`,
    });
    return { checks, waitedMs: 0 };
  }
  const clientId = p.written.clientId ?? p.client.appId;
  const stale = staleConfig(p, env);
  if (!clientId || stale) {
    row(
      'config',
      false,
      stale?.problem ?? 'the application does not exist in the tenant',
      stale ?? {
        code: 'client-not-in-tenant',
        problem: `${p.client.label} does not exist in tenant ${env.tenantId}.`,
        next: `Run \`tenantform apply ${env.diag.manifests}\`.`,
      },
    );
    return { checks, waitedMs: 0 };
  }
  const authority = (env.useWrittenAuthority ? p.written.authority : undefined) ?? `${env.authorityHost.replace(/\/+$/, '')}/${env.tenantId}`;
  row(
    'config',
    true,
    `client ${clientId}${p.written.clientIdSource ? ` (${p.written.clientIdSource})` : ''}, authority ${authority}, scope ${p.scope.value} (${p.scope.source})`,
  );

  const url = new URL(authority);
  const tenantSegment = url.pathname.split('/').filter(Boolean)[0] ?? env.tenantId;
  // Waiting only helps when the scope names this API: a malformed scope never starts working.
  const namesApi = [p.api.appId, ...p.api.identifierUris].some((r) => `${r}/.default`.toLowerCase() === p.scope.value.toLowerCase());
  let last: TokenOutcome | undefined;
  const started = Date.now();
  const attempt = async (): Promise<GraphResponse> => {
    last = await requestToken({
      authorityHost: url.origin,
      tenant: tenantSegment,
      clientId,
      credential: p.credential!,
      scope: p.scope.value,
      ca: env.ca,
      cwd: env.cwd,
    });
    return asResponse(last, p, env.afterApply);
  };
  try {
    await withRetry('acquire-token', attempt, {
      deadline: namesApi ? env.deadline : Date.now(),
      sleep: env.sleep,
      onWait: ({ waitMs, why }) => env.progress?.(`verify ${p.client.label} → ${p.api.label}: waiting ${(waitMs / 1000).toFixed(1)} s, ${why}`),
    });
  } catch (e) {
    // TIMEOUT: the last answer is still the one to diagnose.
    if (!isTenantformError(e) || e.code !== 'TIMEOUT') throw e;
  }
  const waitedMs = Date.now() - started;
  const outcome = last!;
  if (!outcome.ok) {
    // No answer of the token endpoint at all: the written authority is unreachable or untrusted (network.ts says why).
    const unreachable =
      outcome.status === 0 && !outcome.codes.length ? await probeAuthority({ authorityHost: url.origin, tenant: tenantSegment, ca: env.ca }) : undefined;
    const diagnosis: Diagnosis = unreachable
      ? {
          code: 'authority-unreachable',
          problem: `${String(unreachable.meta.problem ?? unreachable.message)}: the authority ${authority} of the written config.`,
          next: `${String(unreachable.meta.next ?? '')} If the config names an authority that moved (another port or tenant), re-render it with \`tenantform output ${env.diag.manifests}\`.`.trim(),
          meta: { ...unreachable.meta, errorCode: unreachable.code },
        }
      : tokenFailure(p, outcome, env.diag);
    row('token', false, `${outcome.error}${outcome.codes.length ? ` AADSTS${outcome.codes[0]}` : ''}`, diagnosis);
    return { checks, waitedMs };
  }
  const version = p.api.version === 2 ? '2.0' : p.api.version === 1 ? '1.0' : undefined;
  const v = await validateToken({ token: outcome.token, authority, tenantId: env.tenantId, audiences: audiencesFor(p), version, ca: env.ca, now: env.now?.() });
  const c = v.claims;
  row('token', true, `issued (ver ${String(c.ver)}${waitedMs > 1000 ? `, after waiting ${(waitedMs / 1000).toFixed(1)} s for replication` : ''})`);
  for (const x of v.checks) {
    row(x.check, x.ok, x.detail, x.ok ? undefined : mismatch(x.check, x.detail, p, env));
  }
  const roles = Array.isArray(c.roles) ? c.roles.map(String) : [];
  const hasAll = p.roles.every((r) => roles.includes(r));
  row('roles', hasAll, roles.length ? roles.join(' ') : '(no roles claim)', hasAll ? undefined : missingRoles(p, roles, env.diag));
  if (p.api.wantsIdtyp) {
    const ok = c.idtyp === 'app';
    row(
      'idtyp',
      ok,
      ok ? 'idtyp app' : `idtyp ${String(c.idtyp ?? '(absent)')}`,
      ok
        ? undefined
        : {
            code: 'token-mismatch',
            problem: `${p.api.label} asks for the idtyp optional claim but the token has ${String(c.idtyp ?? 'none')}.`,
            next: `Check optionalClaims.accessToken of ${p.api.label} in the tenant (\`tenantform plan ${env.diag.manifests}\` shows drift).`,
          },
    );
  }
  return { checks, waitedMs };
}

/**
 * The token request as the retry table sees it. A token that lacks roles which will come — Microsoft Graph
 * already shows their assignments, or apply has just granted them — or AADSTS501051 in that state, means
 * the token service has not caught up: a synthetic 425 the table retries. Roles nobody granted (consent
 * missing, revoked outside tenantform) will not appear by waiting, so that answer is final.
 */
function asResponse(o: TokenOutcome, p: Probe, afterApply: boolean): GraphResponse {
  const lagging = { status: 425, headers: {}, body: { error: { code: 'RoleAssignmentNotReplicated', message: '' } } };
  const coming = (missing: string[]) => p.consented && missing.length > 0 && (afterApply || missing.every((r) => p.assignedInGraph.includes(r)));
  if (o.ok) {
    const roles = decodeJwt(o.token).roles;
    const got = Array.isArray(roles) ? roles.map(String) : [];
    return coming(p.roles.filter((r) => !got.includes(r))) ? lagging : { status: 200, headers: {}, body: {} };
  }
  const code = o.codes[0];
  if (code === 501051 && coming(p.roles)) return lagging;
  return { status: o.status, headers: {}, body: { error: { code: code ? `AADSTS${code}` : o.error, message: o.description } } };
}

/** The written config names another app or tenant than the tenant holds (a stale file). */
function staleConfig(p: Probe, env: RunEnv): Diagnosis | undefined {
  const fix = `Run \`tenantform output ${env.diag.manifests}\` to rewrite the config from the tenant, then restart the daemon.`;
  if (p.written.clientId && p.client.appId && p.written.clientId.toLowerCase() !== p.client.appId.toLowerCase()) {
    return {
      code: 'stale-config',
      problem: `${p.written.clientIdSource} holds client id ${p.written.clientId}, but ${p.client.label} is ${p.client.appId} in the tenant.`,
      next: fix,
    };
  }
  if (env.useWrittenAuthority && p.written.tenant && p.written.tenant.toLowerCase() !== env.tenantId.toLowerCase()) {
    return { code: 'stale-config', problem: `The written config names tenant ${p.written.tenant}, but verify runs against ${env.tenantId}.`, next: fix };
  }
  return undefined;
}

/**
 * What the API's validator accepts as `aud`: v2 tokens carry the appId; v1 tokens the identifier the client
 * asked for, as registered (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
 */
function audiencesFor(p: Probe): string[] {
  if (p.api.version === 2) return [p.api.appId];
  const requested = p.scope.value.replace(/\/\.default$/i, '');
  if (p.api.version === 1) {
    const named = [p.api.appId, ...p.api.identifierUris].find((a) => a.toLowerCase() === requested.toLowerCase());
    return named ? [named] : [...p.api.identifierUris, p.api.appId];
  }
  return [p.api.appId, ...p.api.identifierUris];
}

function mismatch(check: VerifyCheck['check'], detail: string, p: Probe, env: RunEnv): Diagnosis {
  const next: Record<string, string> = {
    signature: `The token does not validate against ${env.authorityHost}'s keys: check that the daemon and the API use the same authority (tenant ${env.tenantId}).`,
    issuer: `The API must trust the issuer of its tenant's discovery document; check the authority in the written config.`,
    audience: `The API validates aud: request the scope of ${p.api.label} exactly as registered (${p.api.identifierUris[0] ?? p.api.appId}/.default).`,
    tenant: `The token comes from another tenant: point the daemon's config at tenant ${env.tenantId}.`,
    version: `Set api.requestedAccessTokenVersion of ${p.api.label} in the manifest and run \`tenantform apply ${env.diag.manifests}\`.`,
  };
  return { code: 'token-mismatch', problem: `${check}: ${detail}`, next: next[check] ?? 'Compare the token with the manifest.' };
}
