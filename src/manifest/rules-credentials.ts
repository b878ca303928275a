/**
 * Rules for credentials, checked before any network call: secret renewal windows, certificate sources,
 * and Graph's rules for federated identity credentials
 * (https://learn.microsoft.com/graph/api/resources/federatedidentitycredential: at most 20 per application,
 * name ≤ 120 URL-friendly characters and immutable, issuer + subject unique per application, one audience,
 * issuer/subject/description/audience ≤ 600 characters).
 */
import { ficDescription } from '../model/desired.js';
import { MAX_FEDERATED_CREDENTIALS } from '../model/limits.js';
import { ficIssuerSubject } from './normalize-credentials.js';
import { duplicates, lineCol, type Reporter } from './report.js';
import { durationMs } from './duration.js';
import { LIFETIME, SECRET_NAME, type ManifestApplication } from './schema.js';

/** "URL friendly" names; the emulator and managed identities use the same character set. */
export const FIC_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,119}$/;
const MAX_FIC_TEXT = 600;
const GITHUB_REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
/** Hours of a lifetime or renewBefore (duration.ts, the one parser); NaN when the schema already refused it. */
function hours(duration: string): number {
  return LIFETIME.test(duration) ? durationMs(duration)! / 3_600_000 : NaN;
}

/**
 * The latest end a credential may have: Graph's endDateTime is an Edm.DateTimeOffset (year ≤ 9999), so a longer
 * lifetime is refused by Graph with 400 RequestBodyRead — after the writes before it. What Entra itself accepts is
 * shorter for tenants with an app management policy (CredentialInvalidLifetimeAsPerAppPolicy); its plain limit is
 * UNCONFIRMED. 100 years is far beyond any real use and always representable.
 */
export const MAX_LIFETIME_HOURS = 100 * 365 * 24;

/** A lifetime longer than Graph can represent (or than anyone needs): refused offline, before any write. */
function checkLifetime(lifetime: string, path: Array<string | number>, what: string, report: Reporter): void {
  if (!(hours(lifetime) > MAX_LIFETIME_HOURS)) return;
  report.add('invalid-value', path, `Lifetime ${lifetime} of ${what} is longer than 100y`, {
    hint: 'Graph stores credential end dates up to the year 9999 and tenants often limit them further; use e.g. 180d or 2y and let apply rotate',
  });
}

export function checkCredentials(opts: { stack?: string; key: string; app: ManifestApplication; report: Reporter }): void {
  const { key, app, report } = opts;
  const base = ['applications', key];
  app.secrets.forEach((s, i) => {
    checkLifetime(s.lifetime, [...base, 'secrets', i, 'lifetime'], `secret "${s.name}"`, report);
    if (s.renewBefore && hours(s.renewBefore) >= hours(s.lifetime)) {
      report.add(
        'invalid-value',
        [...base, 'secrets', i, 'renewBefore'],
        `renewBefore ${s.renewBefore} of secret "${s.name}" is not shorter than its lifetime ${s.lifetime}`,
        {
          hint: 'every apply would rotate it; use a window shorter than the lifetime, e.g. a third of it',
        },
      );
    }
  });
  checkCertificates(key, app, report);
  checkFederated(opts.stack ?? 'stack', key, app, report);
}

function checkCertificates(key: string, app: ManifestApplication, report: Reporter): void {
  const base = ['applications', key, 'certificates'];
  app.certificates.forEach((c, i) => {
    const at = [...base, i];
    if (!SECRET_NAME.test(c.name)) {
      report.add('invalid-value', [...at, 'name'], `Certificate name "${c.name}" in application "${key}" is not allowed`, {
        hint: 'start with a letter; then letters, digits, - or _',
      });
    }
    if (!!c.generate === !!c.file) {
      report.add(
        c.generate ? 'invalid-value' : 'missing-field',
        at,
        `Certificate "${c.name}" in application "${key}" needs exactly one of generate: or file:`,
        { target: 'key' },
      );
      return;
    }
    if (c.file && c.keyFile)
      report.add('invalid-value', [...at, 'keyFile'], `keyFile is only for generated certificates; "${c.name}" comes from ${c.file}`, { target: 'key' });
    if (c.generate && c.passwordEnv)
      report.add('invalid-value', [...at, 'passwordEnv'], `passwordEnv is only for PFX files; "${c.name}" is generated`, { target: 'key' });
    if (c.file && c.passwordEnv && !/\.(pfx|p12)$/i.test(c.file)) {
      report.add('invalid-value', [...at, 'passwordEnv'], `passwordEnv is only for PFX files (.pfx, .p12), not ${c.file}`, { target: 'key' });
    }
    if (c.generate) checkLifetime(c.generate.lifetime, [...at, 'generate', 'lifetime'], `certificate "${c.name}"`, report);
    if (c.generate && c.renewBefore && hours(c.renewBefore) >= hours(c.generate.lifetime)) {
      report.add(
        'invalid-value',
        [...at, 'renewBefore'],
        `renewBefore ${c.renewBefore} of certificate "${c.name}" is not shorter than its lifetime ${c.generate.lifetime}`,
      );
    }
    if (c.generate && !/^[A-Za-z.]+=/.test(c.generate.subject)) {
      report.add('invalid-value', [...at, 'generate', 'subject'], `Subject "${c.generate.subject}" of certificate "${c.name}" is not a distinguished name`, {
        hint: 'like CN=todolist-daemon',
      });
    }
  });
  duplicates(
    app.certificates.map((c, i) => ({ value: c.name, path: [...base, i, 'name'] })),
    report,
    (v, also) => `Certificate name "${v}" is used twice in application "${key}" (also at ${also})`,
  );
}

function checkFederated(stack: string, key: string, app: ManifestApplication, report: Reporter): void {
  const base = ['applications', key, 'federatedCredentials'];
  const list = app.federatedCredentials;
  if (list.length > MAX_FEDERATED_CREDENTIALS) {
    report.add('invalid-value', base, `Application "${key}" has ${list.length} federated credentials; Graph allows at most ${MAX_FEDERATED_CREDENTIALS}`, {
      target: 'key',
    });
  }
  const pairs = new Map<string, number>();
  list.forEach((f, i) => {
    const at = [...base, i];
    if (!FIC_NAME.test(f.name)) {
      report.add('invalid-value', [...at, 'name'], `Federated credential name "${f.name}" in application "${key}" is not allowed`, {
        hint: 'at most 120 characters: letters, digits, - and _, starting with a letter or digit',
      });
    }
    const forms = [f.github, f.kubernetes, f.issuer ?? f.subject].filter((x) => x !== undefined).length;
    if (forms !== 1) {
      report.add(
        forms ? 'invalid-value' : 'missing-field',
        at,
        `Federated credential "${f.name}" needs exactly one of github:, kubernetes:, or issuer: + subject:`,
        { target: 'key' },
      );
      return;
    }
    if (f.github) {
      const g = f.github;
      const kinds = [g.branch, g.environment, g.pullRequest ? true : undefined, g.tag].filter((x) => x !== undefined).length;
      if (kinds !== 1) {
        report.add('invalid-value', [...at, 'github'], `GitHub credential "${f.name}" needs exactly one of branch, environment, pullRequest: true or tag`, {
          target: 'key',
        });
      }
      if (!GITHUB_REPOSITORY.test(g.repository))
        report.add('invalid-value', [...at, 'github', 'repository'], `"${g.repository}" is not a GitHub repository`, { hint: 'write OWNER/REPO' });
    }
    if ((f.issuer === undefined) !== (f.subject === undefined) && !f.github && !f.kubernetes) {
      report.add('missing-field', at, `Federated credential "${f.name}" needs both issuer: and subject:`, { target: 'key' });
      return;
    }
    const { issuer, subject } = ficIssuerSubject(f);
    const issuerPath = f.kubernetes ? [...at, 'kubernetes', 'issuer'] : f.github ? [...at, 'github'] : [...at, 'issuer'];
    if (!isHttpsUrl(issuer)) report.add('invalid-value', issuerPath, `Issuer "${issuer}" of federated credential "${f.name}" must be an https URL`);
    if (issuer.length > MAX_FIC_TEXT)
      report.add('invalid-value', issuerPath, `Issuer of federated credential "${f.name}" is longer than ${MAX_FIC_TEXT} characters`);
    if (subject.length > MAX_FIC_TEXT)
      report.add('invalid-value', at, `Subject of federated credential "${f.name}" is longer than ${MAX_FIC_TEXT} characters`, { target: 'key' });
    if (f.audience !== undefined && f.audience.length > MAX_FIC_TEXT)
      report.add('invalid-value', [...at, 'audience'], `Audience of federated credential "${f.name}" is longer than ${MAX_FIC_TEXT} characters`);
    if (ficDescription(stack, f.description ?? null).length > MAX_FIC_TEXT) {
      report.add(
        'invalid-value',
        [...at, 'description'],
        `Description of federated credential "${f.name}" is too long: with tenantform's ownership marker it must fit in ${MAX_FIC_TEXT} characters`,
      );
    }
    const pair = `${issuer}\n${subject}`;
    const first = pairs.get(pair);
    if (first === undefined) pairs.set(pair, i);
    else {
      report.add(
        'duplicate-value',
        at,
        `Federated credential "${f.name}" has the same issuer and subject as "${list[first].name}" in application "${key}" (also at ${lineCol(report.where([...base, first]))})`,
        {
          target: 'key',
          hint: 'Graph requires issuer + subject to be unique within an application',
        },
      );
    }
  });
  // Names are an alternate key, compared without regard to case.
  duplicates(
    list.map((f, i) => ({ value: f.name.toLowerCase(), path: [...base, i, 'name'] })),
    report,
    (_v, also) => `Federated credential name is used twice in application "${key}" (also at ${also})`,
  );
}

function isHttpsUrl(s: string): boolean {
  try {
    return new URL(s).protocol === 'https:';
  } catch {
    return false;
  }
}
