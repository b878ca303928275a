/**
 * Rules about links: permissions on other APIs, and references in output values.
 * Only links inside the manifest are checked here; names of tenant APIs (e.g. "Microsoft Graph") are
 * resolved later against the live tenant, never against a bundled list.
 */
import nodePath from 'node:path';
import type { DesiredApiRef } from '../model/desired.js';
import { closest, didYouMean } from './problems.js';
import { classifyRef, parseTemplate } from './references.js';
import { duplicates, type Reporter } from './report.js';
import { checkCertificateRef, checkOutputForm } from './rules-outputs.js';
import type { CheckedManifest } from './checked.js';
import { DOTENV_KEY, outputFormat, type ManifestApplication, type ManifestOutput } from './schema.js';

import { GUID } from '../model/guid.js';
export { GUID };

/** What `api:` of a permission names: an application of this manifest (by key), else a tenant API. */
export function apiRefFor(api: string, appKeys: ReadonlySet<string>): DesiredApiRef {
  if (appKeys.has(api)) return { kind: 'stack', key: api };
  if (GUID.test(api)) return { kind: 'tenant', name: api.toLowerCase(), match: 'appId' };
  return { kind: 'tenant', name: api, match: 'displayName' };
}

export function checkPermissions(m: CheckedManifest, report: Reporter): void {
  for (const [key, app] of m.apps) {
    const seenApis: Array<{ value: string; path: Array<string | number> }> = [];
    app.permissions.forEach((perm, i) => {
      const path = ['applications', key, 'permissions', i];
      const ref = apiRefFor(perm.api, m.appKeys);
      seenApis.push({ value: ref.kind === 'stack' ? `stack:${ref.key}` : `${ref.match}:${ref.name}`, path: [...path, 'api'] });
      if (perm.roles.length === 0 && perm.scopes.length === 0) {
        report.add('invalid-value', path, `Permission on "${perm.api}" in application "${key}" lists no roles and no scopes`, {
          hint: 'add roles: [...] (application permissions) or scopes: [...] (delegated permissions)',
        });
      }
      duplicates(
        perm.roles.map((r, j) => ({ value: r, path: [...path, 'roles', j] })),
        report,
        (v, also) => `Role "${v}" is listed twice in a permission of application "${key}" (also at ${also})`,
      );
      duplicates(
        perm.scopes.map((s, j) => ({ value: s, path: [...path, 'scopes', j] })),
        report,
        (v, also) => `Scope "${v}" is listed twice in a permission of application "${key}" (also at ${also})`,
      );
      checkUserConsent(report, path, key, perm);
      if (ref.kind === 'stack') {
        const target = m.apps.get(ref.key);
        if (target) checkStackPermission({ report, path, key, api: ref.key, target, roles: perm.roles, scopes: perm.scopes });
      } else if (ref.match === 'displayName') checkTenantName(m, report, [...path, 'api'], perm.api);
    });
    duplicates(seenApis, report, (_v, also) => `Application "${key}" lists permissions on the same API twice (also at ${also})`);
  }
}

/** A user is a userPrincipalName (alias@domain) or an object id; Graph resolves either at /users/{id}. */
export const USER_REF = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** userConsent: delegated scopes to consent to, users named once each, and not beside adminConsent (which covers everyone). */
function checkUserConsent(report: Reporter, path: Array<string | number>, key: string, perm: ManifestApplication['permissions'][number]): void {
  const users = perm.userConsent;
  if (users.length === 0) return;
  if (perm.adminConsent) {
    report.add(
      'invalid-value',
      [...path, 'userConsent'],
      `Permission on "${perm.api}" in application "${key}" has adminConsent, which consents for every user`,
      {
        hint: 'drop userConsent, or set adminConsent: false to consent for the listed users only',
      },
    );
  }
  if (perm.scopes.length === 0) {
    report.add(
      'invalid-value',
      [...path, 'userConsent'],
      `userConsent of the permission on "${perm.api}" in application "${key}" has no scopes to consent to`,
      {
        hint: 'users consent to delegated permissions (scopes); roles need adminConsent',
      },
    );
  }
  users.forEach((u, j) => {
    if (GUID.test(u) || USER_REF.test(u)) return;
    report.add('invalid-value', [...path, 'userConsent', j], `"${u}" in userConsent of application "${key}" is not a user`, {
      hint: 'a userPrincipalName (alias@contoso.com) or a user object id',
    });
  });
  duplicates(
    users.map((u, j) => ({ value: u.toLowerCase(), path: [...path, 'userConsent', j] })),
    report,
    (v, also) => `User "${v}" is listed twice in userConsent of application "${key}" (also at ${also})`,
  );
}

function checkStackPermission(opts: {
  report: Reporter;
  path: Array<string | number>;
  key: string;
  api: string;
  target: ManifestApplication;
  roles: string[];
  scopes: string[];
}): void {
  const { report, path, api, target } = opts;
  opts.roles.forEach((value, j) => {
    const role = target.appRoles.find((r) => r.value === value);
    const at = [...path, 'roles', j];
    if (!role) {
      const values = target.appRoles.map((r) => r.value);
      report.add('dangling-reference', at, `Application "${api}" has no app role "${value}"`, {
        hint: didYouMean(value, values) ?? (values.length ? `its app roles are: ${values.join(', ')}` : `"${api}" defines no app roles`),
      });
    } else if (!role.allowedMemberTypes.includes('Application')) {
      report.add('invalid-value', at, `App role "${value}" of application "${api}" cannot be granted to an application`, {
        hint: 'add Application to its allowedMemberTypes',
      });
    } else if (!role.enabled) {
      report.add('invalid-value', at, `App role "${value}" of application "${api}" is disabled, so it cannot be granted`);
    }
  });
  opts.scopes.forEach((value, j) => {
    const scope = target.scopes.find((s) => s.value === value);
    const at = [...path, 'scopes', j];
    if (!scope) {
      const values = target.scopes.map((s) => s.value);
      report.add('dangling-reference', at, `Application "${api}" has no scope "${value}"`, {
        hint: didYouMean(value, values) ?? (values.length ? `its scopes are: ${values.join(', ')}` : `"${api}" defines no scopes`),
      });
    } else if (!scope.enabled) {
      report.add('invalid-value', at, `Scope "${value}" of application "${api}" is disabled, so it cannot be granted`);
    }
  });
}

/** A tenant API name that looks like one of our own applications is most likely a mistake. */
function checkTenantName(m: CheckedManifest, report: Reporter, path: Array<string | number>, name: string): void {
  const byDisplayName = [...m.apps].find(([, a]) => a.displayName === name);
  if (byDisplayName) {
    report.add('invalid-value', path, `"${name}" is the display name of application "${byDisplayName[0]}" of this manifest`, {
      hint: `refer to it by its key: api: ${byDisplayName[0]} (display names are not identities)`,
    });
    return;
  }
  const near = closest(name, m.appKeys);
  if (near) {
    report.add('dangling-reference', path, `"${name}" is not an application of this manifest; it will be looked up in the tenant by display name`, {
      severity: 'warning',
      hint: `did you mean "${near}"?`,
    });
  }
}

export function checkOutputs(m: CheckedManifest, report: Reporter): void {
  // A generated certificate's keyFile is written like an output, so it shares their namespace.
  const keyFiles = [...m.apps].flatMap(([key, app]) =>
    app.certificates.flatMap((c, i) =>
      c.keyFile ? [{ value: nodePath.normalize(c.keyFile), path: ['applications', key, 'certificates', i, 'keyFile'] }] : [],
    ),
  );
  duplicates(
    [...m.outputs.map(({ index, output }) => ({ value: nodePath.normalize(output.path), path: ['outputs', index, 'path'] })), ...keyFiles],
    report,
    (_v, also) => `Output path is used twice (also at ${also})`,
  );
  for (const { index, output } of m.outputs) {
    const base = ['outputs', index];
    const format = outputFormat(output);
    // A control character (NUL above all) cannot be in a file name: Node throws at write time, after the tenant writes.
    if (/[\u0000-\u001f]/.test(output.path)) {
      report.add('invalid-value', [...base, 'path'], `Output path ${JSON.stringify(output.path)} contains a control character`, {
        hint: 'file names cannot hold NUL, newlines or other control characters',
      });
    }
    checkOutputForm(m, report, index, output);
    const entries = Object.entries(output.values ?? {});
    if (entries.length === 0 && output.values !== undefined) report.add('invalid-value', [...base, 'values'], `Output "${output.path}" has no values`);
    for (const [name, template] of entries) {
      const at = [...base, 'values', name];
      if (format === 'dotenv' && !DOTENV_KEY.test(name)) {
        report.add('invalid-value', at, `"${name}" is not a valid name for a dotenv file`, {
          target: 'key',
          hint: 'use letters, digits and _, not starting with a digit',
        });
      }
      checkTemplate(m, report, at, template);
    }
    for (const { path, text } of shapedStrings(output, base)) checkTemplate(m, report, path, text);
  }
}

/** Every template string of an output outside `values`: template leaves, scopes, audience. */
function shapedStrings(output: ManifestOutput, base: Array<string | number>): Array<{ path: Array<string | number>; text: string }> {
  const out: Array<{ path: Array<string | number>; text: string }> = [];
  const walk = (v: unknown, path: Array<string | number>): void => {
    if (typeof v === 'string') out.push({ path, text: v });
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(output.template, [...base, 'template']);
  walk(output.scopes, [...base, 'scopes']);
  walk(output.audience, [...base, 'audience']);
  return out;
}

function checkTemplate(m: CheckedManifest, report: Reporter, at: Array<string | number>, template: string): void {
  for (const t of parseTemplate(template).tokens) {
    if (t.kind !== 'ref') continue;
    const ref = classifyRef(t.path);
    if (ref.kind === 'invalid') report.add('dangling-reference', at, ref.message, { needle: t.raw, hint: ref.hint });
    if (ref.kind !== 'app') continue;
    if (!m.appKeys.has(ref.app)) {
      report.add('dangling-reference', at, `${t.raw} names application "${ref.app}", which this manifest does not declare`, {
        needle: t.raw,
        hint: didYouMean(ref.app, m.appKeys),
      });
      continue;
    }
    const app = m.apps.get(ref.app);
    if (!app) continue; // declared but broken: already reported
    if (ref.field === 'scope' && !app.scopes.some((s) => s.value === ref.scope)) {
      report.add('dangling-reference', at, `${t.raw}: application "${ref.app}" has no scope "${ref.scope}"`, {
        needle: t.raw,
        hint: app.scopes.length ? `its scopes: ${app.scopes.map((s) => s.value).join(', ')}` : 'declare it under scopes:',
      });
    } else if ((ref.field === 'identifierUri' || ref.field === 'scope') && app.identifierUris.length === 0) {
      report.add('dangling-reference', at, `${t.raw}: application "${ref.app}" has no identifierUris`, {
        needle: t.raw,
        hint: 'add identifierUris: [api://{appId}]',
      });
    } else if (ref.field === 'secret' && app.secrets.length !== 1) {
      const names = app.secrets.map((s) => s.name);
      if (names.length === 0) {
        report.add('dangling-reference', at, `${t.raw}: application "${ref.app}" has no secrets`, { needle: t.raw, hint: 'add secrets: [{name: main}]' });
      } else {
        report.add('invalid-reference', at, `${t.raw} is ambiguous: application "${ref.app}" has ${names.length} secrets`, {
          needle: t.raw,
          hint: `name one: ${names.map((n) => `\${apps.${ref.app}.secrets.${n}}`).join(', ')}`,
        });
      }
    } else if (ref.field === 'secrets' && !app.secrets.some((s) => s.name === ref.secret)) {
      report.add('dangling-reference', at, `${t.raw}: application "${ref.app}" has no secret "${ref.secret}"`, {
        needle: t.raw,
        hint: didYouMean(
          ref.secret,
          app.secrets.map((s) => s.name),
        ),
      });
    } else if (ref.field === 'certificate') {
      checkCertificateRef(report, at, t.raw, ref.app, app, ref.certificate, ref.certField);
    }
  }
}
