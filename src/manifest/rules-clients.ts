/**
 * The clients an API names: `api.knownClientApplications` and `api.preAuthorizedApplications`
 * (https://learn.microsoft.com/graph/api/resources/apiapplication). Each names an application of this manifest
 * by key, or any application by appId; pre-authorized scopes must be scopes of the API itself.
 */
import type { CheckedManifest } from './checked.js';
import { duplicates, type Reporter } from './report.js';
import { GUID } from './rules-links.js';

export function checkClients(m: CheckedManifest, report: Reporter): void {
  for (const [key, app] of m.apps) {
    const base = ['applications', key, 'api'];
    const known = app.api?.knownClientApplications ?? [];
    const named = (name: string, path: Array<string | number>, what: string) => {
      if (m.appKeys.has(name) || GUID.test(name)) return;
      report.add('dangling-reference', path, `${what} "${name}" of application "${key}" is neither an application of this manifest nor an appId`, {
        hint: `manifest applications: ${[...m.appKeys].join(', ')}`,
      });
    };
    known.forEach((name, i) => named(name, [...base, 'knownClientApplications', i], 'Known client'));
    duplicates(
      known.map((v, i) => ({ value: v.toLowerCase(), path: [...base, 'knownClientApplications', i] })),
      report,
      (v, also) => `Known client "${v}" is listed twice in application "${key}" (also at ${also})`,
    );
    const pre = app.api?.preAuthorizedApplications ?? [];
    const scopes = new Set(app.scopes.map((s) => s.value));
    pre.forEach((p, i) => {
      named(p.app, [...base, 'preAuthorizedApplications', i, 'app'], 'Pre-authorized client');
      p.scopes.forEach((value, j) => {
        if (scopes.has(value)) return;
        report.add(
          'dangling-reference',
          [...base, 'preAuthorizedApplications', i, 'scopes', j],
          `Application "${key}" has no scope "${value}" to pre-authorize`,
          {
            hint: scopes.size ? `its scopes: ${[...scopes].join(', ')}` : 'declare it under scopes: first',
          },
        );
      });
    });
    duplicates(
      pre.map((p, i) => ({ value: p.app.toLowerCase(), path: [...base, 'preAuthorizedApplications', i, 'app'] })),
      report,
      (v, also) => `Client "${v}" is pre-authorized twice in application "${key}" (also at ${also}); list all its scopes in one entry`,
    );
  }
}
