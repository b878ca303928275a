/**
 * Credentials of a valid manifest → desired state: secret renewal windows, certificates, and the GitHub /
 * Kubernetes shorthands of federated identity credentials expanded to Graph's issuer + subject.
 */
import { ficDescription, TOKEN_EXCHANGE_AUDIENCE, type DesiredCertificate, type DesiredFederatedCredential, type DesiredSecret } from '../model/desired.js';
import type { ManifestSource } from './load.js';
import { locate } from './locate.js';
import type { ManifestApplication } from './schema.js';

const DAY_MS = 86_400_000;

/** The issuer of GitHub Actions OIDC tokens (https://docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect). */
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

type GithubForm = NonNullable<ManifestApplication['federatedCredentials'][number]['github']>;
type FicForm = ManifestApplication['federatedCredentials'][number];

/**
 * The renewal window when the manifest gives none: a third of the lifetime, at most 30 days, so a short
 * lifetime (e.g. 12h) does not rotate on every apply.
 */
export function defaultRenewBeforeMs(lifetimeMs: number): number {
  return Math.min(30 * DAY_MS, Math.floor(lifetimeMs / 3));
}

/**
 * Subjects of GitHub Actions tokens, as Entra matches them
 * (https://learn.microsoft.com/entra/workload-id/workload-identity-federation-create-trust#github-actions):
 * `repo:OWNER/REPO:environment:NAME`, `repo:OWNER/REPO:pull_request`, `…:ref:refs/tags/TAG`, `…:ref:refs/heads/BRANCH`.
 */
export function githubSubject(g: GithubForm): string {
  const repo = `repo:${g.repository}`;
  if (g.environment !== undefined) return `${repo}:environment:${g.environment}`;
  if (g.pullRequest) return `${repo}:pull_request`;
  if (g.tag !== undefined) return `${repo}:ref:refs/tags/${g.tag}`;
  return `${repo}:ref:refs/heads/${g.branch ?? ''}`;
}

/**
 * The `github:` form of a GitHub Actions trust, for export: the inverse of githubSubject, undefined for any issuer or
 * subject it would not write back exactly (another issuer, a subject with claims of a customized template).
 */
export function githubFormOf(issuer: string | null | undefined, subject: string | null | undefined): GithubForm | undefined {
  if (issuer !== GITHUB_ISSUER || !subject) return undefined;
  const m = /^repo:([^:/\s]+\/[^:/\s]+):(?:environment:([^:]+)|(pull_request)|ref:refs\/tags\/([^:]+)|ref:refs\/heads\/([^:]+))$/.exec(subject);
  if (!m) return undefined;
  const [, repository, environment, pr, tag, branch] = m;
  const form: GithubForm = {
    repository,
    ...(environment !== undefined ? { environment } : pr ? { pullRequest: true } : tag !== undefined ? { tag } : { branch }),
  };
  return githubSubject(form) === subject ? form : undefined;
}

/** Issuer and subject of any form (github, kubernetes, or explicit). Undefined parts stay empty strings. */
export function ficIssuerSubject(f: FicForm): { issuer: string; subject: string } {
  if (f.github) return { issuer: GITHUB_ISSUER, subject: githubSubject(f.github) };
  // AKS / any cluster with service account token issuance (https://learn.microsoft.com/azure/aks/workload-identity-overview).
  if (f.kubernetes) return { issuer: f.kubernetes.issuer, subject: `system:serviceaccount:${f.kubernetes.namespace}:${f.kubernetes.serviceAccount}` };
  return { issuer: f.issuer ?? '', subject: f.subject ?? '' };
}

export function normalizeSecrets(app: ManifestApplication, lifetimeMs: (l: string) => number): DesiredSecret[] {
  return app.secrets.map((s) => {
    const ms = lifetimeMs(s.lifetime);
    return { name: s.name, lifetime: s.lifetime, lifetimeMs: ms, renewBeforeMs: s.renewBefore ? lifetimeMs(s.renewBefore) : defaultRenewBeforeMs(ms) };
  });
}

export function normalizeCertificates(opts: {
  source: ManifestSource;
  key: string;
  app: ManifestApplication;
  lifetimeMs: (l: string) => number;
}): DesiredCertificate[] {
  const { app, lifetimeMs } = opts;
  return app.certificates.map((c, i): DesiredCertificate => {
    const location = locate(opts.source, ['applications', opts.key, 'certificates', i]);
    if (c.generate) {
      const ms = lifetimeMs(c.generate.lifetime);
      return {
        name: c.name,
        source: { kind: 'generate', subject: c.generate.subject, lifetime: c.generate.lifetime, lifetimeMs: ms },
        renewBeforeMs: c.renewBefore ? lifetimeMs(c.renewBefore) : defaultRenewBeforeMs(ms),
        keyFile: c.keyFile ?? null,
        location,
      };
    }
    return {
      name: c.name,
      source: { kind: 'file', path: c.file ?? '', passwordEnv: c.passwordEnv ?? null },
      renewBeforeMs: c.renewBefore ? lifetimeMs(c.renewBefore) : 30 * DAY_MS,
      keyFile: null,
      location,
    };
  });
}

export function normalizeFederatedCredentials(opts: {
  source: ManifestSource;
  stack: string;
  key: string;
  app: ManifestApplication;
}): DesiredFederatedCredential[] {
  return opts.app.federatedCredentials.map((f, i) => ({
    name: f.name,
    ...ficIssuerSubject(f),
    audiences: [f.audience ?? TOKEN_EXCHANGE_AUDIENCE],
    description: ficDescription(opts.stack, f.description ?? null),
    location: locate(opts.source, ['applications', opts.key, 'federatedCredentials', i]),
  }));
}
