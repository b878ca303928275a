/**
 * What `tenantform verify` reports: plain data (the --json document), never a secret or a token.
 * One row per check of one (client → API) pair; a failed row carries a diagnosis with the next step.
 */

/** The checks verify runs for each confidential client and API it has application permissions on. */
export type CheckName =
  /** The tool could read the tenant (its own identity's Graph permissions). */
  | 'graph-read'
  /** A credential for the client was found in the written config (output files) or the 0600 cache. */
  | 'credential'
  /** The written config names the client, tenant and scope the tenant has (not a stale file). */
  | 'config'
  /** A client-credentials token was issued through @azure/identity with that config. */
  | 'token'
  /** Signature against the JWKS of the authority's discovery document, and exp/nbf. */
  | 'signature'
  | 'issuer'
  | 'audience'
  | 'tenant'
  /** `ver` matches the API's requestedAccessTokenVersion. */
  | 'version'
  /** `roles` holds every application permission the manifest grants. */
  | 'roles'
  /** idtyp=app, when the API asked for the optional claim (delegated probes: idtyp=user with include_user_token). */
  | 'idtyp'
  /** Delegated chains (src/verify/delegated.ts): the user's token for the middle tier (password grant). */
  | 'user-token'
  /** The middle tier's On-Behalf-Of exchange for the downstream API. */
  | 'obo-token'
  /** `scp` holds every delegated scope the leg asked for. */
  | 'scopes'
  /** Conditional access answered the exchange with a claims challenge (or did not have to). */
  | 'conditional-access'
  /** A delegated chain that was not proven (no --user): a skipped row, not a failure. */
  | 'delegated';

/** Why a check failed, as a stable code, and what the operator does next. */
export type DiagnosisCode =
  | 'tool-permission' // the tool's identity lacks a Graph permission (meta: needs, roles)
  | 'tool-auth' // the tool could not get a Graph token at all
  | 'config-missing' // an output file with the client's config (meta.files) is not on disk: apply or output writes it
  | 'no-credential' // no secret/certificate for the client in the outputs or the cache
  | 'stale-config' // the written config names another client/tenant than the tenant has
  | 'admin-consent-missing' // token without (some) roles the manifest asks for
  | 'not-assigned' // AADSTS501051: the API requires assignment and the client has none
  | 'scope-not-default' // AADSTS1002012: the scope lacks /.default
  | 'trailing-slash' // the API's identifier URI ends in '/': the scope needs a double slash
  | 'secret-expired' // AADSTS7000222
  | 'secret-invalid' // AADSTS7000215 after the wait: not a secret of this app
  | 'certificate-invalid' // AADSTS700027 and friends
  | 'client-not-in-tenant' // AADSTS700016 after the wait (no service principal in this tenant)
  | 'resource-not-found' // AADSTS500011 after the wait
  | 'authority-unreachable' // the written authority gave no answer: NETWORK_ERROR / TLS_ERROR cause in meta (host, cause, errno)
  | 'token-mismatch' // a claim differs from what the manifest implies (issuer, audience, version, idtyp, tenant)
  | 'token-error' // any other token endpoint error (code and description are shown)
  | 'user-password-missing' // --user without TENANTFORM_VERIFY_PASSWORD
  | 'user-not-found' // AADSTS50034: no such user in the tenant
  | 'wrong-password' // AADSTS50126
  | 'user-blocked' // AADSTS50057 / 50055 / 50053: the account cannot sign in with a password
  | 'consent-missing' // AADSTS65001: the delegated grant (adminConsent / userConsent) is not in the tenant (meta.grant)
  | 'mfa-at-sign-in' // AADSTS50076/50079 at the password grant: a policy on the middle tier; ROPC cannot do MFA
  | 'conditional-access-unexpected' // the exchange met a claims challenge no enabled MFA policy of the manifests explains
  | 'client-not-confidential' // AADSTS7000218 / 700025: the credential and the app's public-client setting disagree
  | 'scope-mismatch'; // the token's scp lacks scopes the leg asked for

export interface Diagnosis {
  code: DiagnosisCode;
  /** One sentence: what is wrong. */
  problem: string;
  /** What to do next (commands, URLs, manifest keys). */
  next: string;
  /** Structured extras, e.g. { consentUrl }, { needs }, { aadsts }. */
  meta?: Record<string, unknown>;
}

export interface VerifyCheck {
  /** `<stack>/<key>` of the confidential client ('' for tenant-wide checks such as graph-read). */
  client: string;
  /** The API: `<stack>/<key>` of a manifest app, or the tenant API's display name. */
  api: string;
  check: CheckName;
  ok: boolean;
  /** Not run (a delegated chain without --user): `ok` is true, the row is informational. */
  skipped?: true;
  /** What was seen (claim values, the scope used, where the credential came from). Never secret. */
  detail: string;
  diagnosis?: Diagnosis;
}

export interface VerifyResult {
  ok: boolean;
  tenant: { id: string; authority: string };
  checks: VerifyCheck[];
  /** How long the replication waits took in total, ms. */
  waitedMs: number;
}
