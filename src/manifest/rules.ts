/**
 * Cross-field rules, run after the schema on every part that passed it (so one broken application does
 * not hide the problems of the others). Links between applications and outputs are in rules-links.ts.
 */
import { includesPersonalAccounts, OWNERSHIP_TAG_PREFIX } from '../model/desired.js';
import type { CheckedManifest } from './checked.js';
import type { TreePath } from './problems.js';
import { duplicates, lineCol, type Reporter } from './report.js';
import { checkCredentials } from './rules-credentials.js';
import { checkOutputs, checkPermissions } from './rules-links.js';
import { checkClients } from './rules-clients.js';
import { checkPolicies } from './rules-policies.js';
import { checkPlatforms } from './rules-redirect-uris.js';
import { identifierUriProblem, MAX_IDENTIFIER_URIS_PERSONAL } from './rules-uris.js';
import { APP_KEY, APP_KEY_MAX, SECRET_NAME, type ManifestApplication, type ManifestOptionalClaim, type ManifestOutput } from './schema.js';

export type { CheckedManifest } from './checked.js';

/** Graph's documented maximum for role/scope values (DOCS approle.md); TF allows 249. Server limit UNCONFIRMED. */
export const MAX_PERMISSION_VALUE_LENGTH = 120;
/** With personal accounts: scope values ≤ 40 chars, ≤ 100 scopes (supported-accounts-validation). */
export const MAX_SCOPE_VALUE_LENGTH_PERSONAL = 40;
export const MAX_SCOPES_PERSONAL = 100;

const ALLOWED_VALUE_CHARS = /[A-Za-z0-9!#$%&'()*+,\-./:;<=>?@[\]^_`{|}~]/;

export function checkRules(m: CheckedManifest, report: Reporter): void {
  for (const key of m.appKeys) {
    if (!APP_KEY.test(key) || key.length > APP_KEY_MAX) {
      report.add('invalid-value', ['applications', key], `Application key "${key}" is not allowed`, {
        target: 'key',
        hint: `start with a letter; then letters, digits, - or _ (at most ${APP_KEY_MAX}); it is used in \${apps.${key}.appId} and in the uniqueName`,
      });
    }
  }
  for (const [key, app] of m.apps) {
    checkApplication(key, app, report);
    checkCredentials({ stack: m.stack, key, app, report });
  }
  checkIdentifierUrisAcrossApps(m, report);
  checkPermissions(m, report);
  checkClients(m, report);
  checkPolicies(m, report);
  checkOutputs(m, report);
}

function checkApplication(key: string, app: ManifestApplication, report: Reporter): void {
  const base = ['applications', key];
  const personal = includesPersonalAccounts(app.signInAudience);
  checkRolesAndScopes(key, app, report, personal);

  if (personal && app.api?.requestedAccessTokenVersion === 1) {
    report.add(
      'invalid-value',
      [...base, 'api', 'requestedAccessTokenVersion'],
      `Application "${key}" lets personal accounts sign in, so requestedAccessTokenVersion must be 2`,
      {
        hint: 'https://learn.microsoft.com/entra/identity-platform/supported-accounts-validation',
      },
    );
  }

  app.identifierUris.forEach((uri, i) => {
    const p = identifierUriProblem(uri, { personalAccounts: personal });
    if (p) report.add('invalid-uri', [...base, 'identifierUris', i], `Identifier URI "${uri}" of application "${key}" ${p.message}`, { hint: p.hint });
  });
  duplicates(
    app.identifierUris.map((u, i) => ({ value: u, path: [...base, 'identifierUris', i] })),
    report,
    (v, also) => `Identifier URI "${v}" is listed twice in application "${key}" (also at ${also})`,
  );
  if (personal && app.identifierUris.length > MAX_IDENTIFIER_URIS_PERSONAL) {
    report.add(
      'invalid-value',
      [...base, 'identifierUris'],
      `Application "${key}" has ${app.identifierUris.length} identifier URIs; at most ${MAX_IDENTIFIER_URIS_PERSONAL} when personal accounts can sign in`,
    );
  }

  checkPlatforms(key, app, report, personal);

  for (const token of ['accessToken', 'idToken', 'saml2Token'] as const) {
    const claims = app.optionalClaims?.[token] ?? [];
    duplicates(
      claims.map((c, i) => ({ value: claimName(c), path: [...base, 'optionalClaims', token, i] })),
      report,
      (v, also) => `Optional claim "${v}" is listed twice for ${token} in application "${key}" (also at ${also})`,
    );
  }

  app.secrets.forEach((s, i) => {
    if (!SECRET_NAME.test(s.name)) {
      report.add('invalid-value', [...base, 'secrets', i, 'name'], `Secret name "${s.name}" in application "${key}" is not allowed`, {
        hint: 'start with a letter; then letters, digits, - or _ (it is used in ${apps.KEY.secrets.NAME})',
      });
    }
  });
  duplicates(
    app.secrets.map((s, i) => ({ value: s.name, path: [...base, 'secrets', i, 'name'] })),
    report,
    (v, also) => `Secret name "${v}" is used twice in application "${key}" (also at ${also})`,
  );

  const tags = app.servicePrincipal?.tags ?? [];
  tags.forEach((t, i) => {
    if (t.startsWith(OWNERSHIP_TAG_PREFIX)) {
      report.add('invalid-value', [...base, 'servicePrincipal', 'tags', i], `Tag "${t}" uses the reserved prefix ${OWNERSHIP_TAG_PREFIX}`, {
        hint: 'tenantform adds its ownership tag itself',
      });
    }
  });
  duplicates(
    tags.map((t, i) => ({ value: t, path: [...base, 'servicePrincipal', 'tags', i] })),
    report,
    (v, also) => `Tag "${v}" is listed twice in application "${key}" (also at ${also})`,
  );
}

/**
 * App roles and scopes share one value namespace and one id namespace per application
 * (anchors.md §3.10; Graph rejects duplicates with 400 DuplicateValue, graph-api.md §3.3).
 */
function checkRolesAndScopes(key: string, app: ManifestApplication, report: Reporter, personal: boolean): void {
  const base = ['applications', key];
  const entries = [
    ...app.appRoles.map((r, i) => ({ kind: 'App role', value: r.value, id: r.id, path: [...base, 'appRoles', i] })),
    ...app.scopes.map((s, i) => ({ kind: 'Scope', value: s.value, id: s.id, path: [...base, 'scopes', i] })),
  ];
  for (const e of entries) {
    const problem = permissionValueProblem(e.value);
    if (problem) {
      report.add('invalid-value', [...e.path, 'value'], `${e.kind} value "${e.value}" in application "${key}" ${problem}`, {
        hint: "use letters, digits and ! # $ % & ' ( ) * + , - . / : ; < = > ? @ [ ] ^ _ ` { | } ~ (no spaces), e.g. ToDoList.Read.All",
      });
    } else if (personal && e.kind === 'Scope' && e.value.length > MAX_SCOPE_VALUE_LENGTH_PERSONAL) {
      report.add(
        'invalid-value',
        [...e.path, 'value'],
        `Scope value "${e.value}" in application "${key}" is longer than ${MAX_SCOPE_VALUE_LENGTH_PERSONAL} characters, the limit when personal accounts can sign in`,
      );
    }
  }
  if (personal && app.scopes.length > MAX_SCOPES_PERSONAL) {
    report.add(
      'invalid-value',
      [...base, 'scopes'],
      `Application "${key}" has ${app.scopes.length} scopes; at most ${MAX_SCOPES_PERSONAL} when personal accounts can sign in`,
    );
  }
  const seen = new Map<string, (typeof entries)[number]>();
  for (const e of entries) {
    const first = seen.get(e.value);
    if (!first) {
      seen.set(e.value, e);
      continue;
    }
    const also = lineCol(report.where([...first.path, 'value']));
    const message =
      first.kind === e.kind
        ? `${e.kind} value "${e.value}" is used twice in application "${key}" (also at ${also})`
        : `${e.kind} value "${e.value}" is also used by ${first.kind === 'App role' ? 'an app role' : 'a scope'} in application "${key}" (also at ${also})`;
    report.add('duplicate-value', [...e.path, 'value'], message, {
      hint: first.kind === e.kind ? undefined : 'app roles and scopes of one application share one value namespace',
    });
  }
  const ids = new Map<string, (typeof entries)[number]>();
  for (const e of entries) {
    if (!e.id) continue;
    const id = e.id.toLowerCase();
    const first = ids.get(id);
    if (!first) ids.set(id, e);
    else {
      report.add(
        'duplicate-id',
        [...e.path, 'id'],
        `Id ${e.id} of ${e.kind.toLowerCase()} "${e.value}" is already used by ${first.kind.toLowerCase()} "${first.value}" in application "${key}" (also at ${lineCol(report.where([...first.path, 'id']))})`,
        {
          hint: 'remove the id to get a stable derived one, or give each role and scope its own GUID',
        },
      );
    }
  }
  app.appRoles.forEach((r, i) =>
    duplicates(
      r.allowedMemberTypes.map((t, j) => ({ value: t, path: [...base, 'appRoles', i, 'allowedMemberTypes', j] })),
      report,
      (v, also) => `Member type "${v}" is listed twice in app role "${r.value}" (also at ${also})`,
    ),
  );
}

/** Graph's rules for role/scope values (graph-api.md §3.3): no spaces, allowed characters, no leading dot. */
export function permissionValueProblem(value: string): string | undefined {
  if (value.length === 0) return 'is empty';
  if (/\s/.test(value)) return 'contains a space';
  const bad = [...new Set([...value].filter((c) => !ALLOWED_VALUE_CHARS.test(c)))];
  if (bad.length) return `contains characters Graph does not allow: ${bad.map((c) => JSON.stringify(c)).join(' ')}`;
  if (value.startsWith('.')) return 'starts with a dot';
  if (value.length > MAX_PERMISSION_VALUE_LENGTH) return `is longer than ${MAX_PERMISSION_VALUE_LENGTH} characters`;
  return undefined;
}

/** Identifier URIs without {appId} must be unique in the tenant; catch the ones repeated in this stack. */
function checkIdentifierUrisAcrossApps(m: CheckedManifest, report: Reporter): void {
  const seen = new Map<string, { key: string; path: TreePath }>();
  for (const [key, app] of m.apps) {
    new Set(app.identifierUris).forEach((uri) => {
      if (uri.includes('{appId}')) return;
      const path = ['applications', key, 'identifierUris', app.identifierUris.indexOf(uri)];
      const first = seen.get(uri.toLowerCase());
      if (!first) seen.set(uri.toLowerCase(), { key, path });
      else if (first.key !== key) {
        report.add(
          'duplicate-value',
          path,
          `Identifier URI "${uri}" is also used by application "${first.key}" (also at ${lineCol(report.where(first.path))}); identifier URIs are unique in a tenant`,
        );
      }
    });
  }
}

export function claimName(c: ManifestOptionalClaim): string {
  return typeof c === 'string' ? c : c.name;
}
