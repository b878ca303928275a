import { randomUUID } from 'node:crypto';
import type { Application, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { TenantformError } from '../errors.js';
import type { LiveState } from '../model/live.js';
import { ruleFor, withRetry, type OpKind, type WaitOptions } from '../graph/retry.js';
import { graphFailure } from '../graph/failure.js';
import type { GraphRequestSpec, GraphResponse, GraphSender } from '../graph/transport.js';
import type { CertificateStore } from '../credentials/store.js';
import type { SecretStore } from '../outputs/secret-cache.js';
import type { AppRef, Change } from '../plan/types.js';
import type { ProgressEvent } from './progress.js';

/** Object ids of a managed application, filled from live state and from create responses. */
export interface AppIds {
  uniqueName: string;
  objectId?: string;
  appId?: string;
  servicePrincipalId?: string;
}

export interface ApplyContext {
  transport: GraphSender;
  deadline: number;
  refs: Map<AppRef, AppIds>;
  secrets: SecretStore;
  /** Generated certificates (private keys 0600); required when the plan adds or removes certificates. */
  certificates?: CertificateStore;
  /** Base of relative paths in the manifest (certificate files). */
  cwd?: string;
  /** Where PFX passwords are read from (CommonOptions.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Called with every new secret value the moment Graph returns it (GitHub Actions ::add-mask::). */
  onSecretValue?: (value: string) => void;
  sleep?: (ms: number) => Promise<void>;
  /** A line for people, and (from the executor and call()) the structured event behind it. */
  progress?: (line: string, event?: ProgressEvent) => void;
  /** Render and write one output file (apply/outputs.ts; it sees the secrets). Destroy and import plans write none. */
  writeOutput(c: Extract<Change, { action: 'write-output' }>): Promise<void>;
  /** Called after every successful Graph write, before its response is used (CommonOptions.onWrite). */
  onWrite?: (what: string) => void;
}

/** For plans that write no output file (destroy, import). */
export const noOutputs = (kind: string) => async (): Promise<void> => Promise.reject(new Error(`internal: a ${kind} plan writes no output`));

/** Seed the id map from what plan read. */
export function refsFromLive(live: LiveState, apps: Array<{ ref: AppRef; uniqueName: string }>): Map<AppRef, AppIds> {
  const refs = new Map<AppRef, AppIds>();
  for (const { ref, uniqueName } of apps) {
    const l = live.applications[uniqueName.toLowerCase()];
    refs.set(ref, { uniqueName, objectId: l?.app.id ?? undefined, appId: l?.app.appId ?? undefined, servicePrincipalId: l?.servicePrincipal?.id ?? undefined });
  }
  return refs;
}

export function idsOf(ctx: ApplyContext, ref: AppRef, need: 'objectId' | 'appId' | 'servicePrincipalId'): string {
  const v = ctx.refs.get(ref)?.[need];
  if (!v) throw new Error(`internal: ${need} of ${ref} is not known yet (plan ordering bug)`);
  return v;
}

/** Replace `{appId}` (own; none for a policy) and `{appId:<ref>}` (another app of the stack) with real appIds. */
export function fillPlaceholders<T>(ctx: ApplyContext, own: AppRef | null, value: T): T {
  const text = JSON.stringify(value).replace(/\{appId:(app:[^}]+)\}/g, (_, ref: string) => idsOf(ctx, ref, 'appId'));
  return JSON.parse(own ? text.replaceAll('{appId}', idsOf(ctx, own, 'appId')) : text) as T;
}

/** One Graph call under the retry table; a final error becomes a TenantformError with the next step. */
export async function call(
  ctx: ApplyContext,
  op: OpKind,
  spec: GraphRequestSpec,
  what: { action: string; needs?: readonly string[]; ok?: (res: GraphResponse) => boolean; reconcile?: () => Promise<GraphResponse | undefined> },
): Promise<GraphResponse> {
  // One client-request-id for every attempt of this call, and the attempt's number: a request log (Graph's, the
  // emulator's) can tell a retry from a second write (https://learn.microsoft.com/graph/best-practices-concept).
  const requestId = randomUUID();
  let tries = 0;
  const send = () => ctx.transport.send({ ...spec, headers: { ...spec.headers, 'client-request-id': requestId, 'x-tenantform-attempt': String(++tries) } });
  const res = await withRetry(op, send, { ...waitOptions(ctx, what.action), reconcile: what.reconcile });
  if (res.status < 400 && spec.method !== 'GET') ctx.onWrite?.(`graph ${spec.method} ${spec.path.split('?')[0]}`);
  if (res.status < 400 || what.ok?.(res)) return res;
  throw graphFailure(res, { action: what.action, needs: what.needs });
}

/**
 * The read a create's reconcile makes before the create is sent again (withRetry's `reconcile`). An answer the retry
 * table would retry on a read (429, 5xx) says nothing about whether the create landed, so it is thrown: withRetry
 * counts it as one more failed attempt and looks again later, instead of sending the create blind (a second secret,
 * assignment or policy). 200 and 404 are answers.
 */
export async function lookUp(ctx: ApplyContext, path: string, action: string): Promise<GraphResponse> {
  const res = await ctx.transport.send({ method: 'GET', path });
  if (res.status >= 400 && ruleFor('read', res)) throw graphFailure(res, { action: `look up whether "${action}" was applied before sending it again` });
  return res;
}

/** The deadline, the sleep and the progress line of every wait of an apply (one line per wait: src/cli/progress.ts). */
export function waitOptions(ctx: ApplyContext, action: string): WaitOptions {
  return {
    deadline: ctx.deadline,
    sleep: ctx.sleep,
    onWait: ({ waitMs, why, attempt, leftMs }) =>
      ctx.progress?.(`  waiting ${Math.round(waitMs)} ms: ${why} (${action})`, { kind: 'wait', waitMs, why, attempt, leftMs, what: action }),
  };
}

export const APP_WRITE = ['Application.ReadWrite.OwnedBy', 'Application.ReadWrite.All'] as const;
export const ASSIGN_WRITE = ['AppRoleAssignment.ReadWrite.All (plus Application.Read.All)'] as const;
export const GRANT_WRITE = ['DelegatedPermissionGrant.ReadWrite.All'] as const;

export function asApp(res: GraphResponse): Application {
  return res.body as Application;
}
export function asSp(res: GraphResponse): ServicePrincipal {
  return res.body as ServicePrincipal;
}

export function timeout(what: string): TenantformError {
  return new TenantformError('TIMEOUT', `Gave up waiting for ${what} to replicate. Re-run the command; it converges.`);
}
