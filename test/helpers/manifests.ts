/**
 * Helpers for manifest tests: validate YAML text in memory and summarise problems compactly.
 */
import { validateManifestText, type ManifestOptions, type ValidationResult } from '../../src/manifest/index.js';
import type { Problem } from '../../src/manifest/problems.js';

export const API_APP = `
  api:
    displayName: ciam-ToDoList-api
    identifierUris: ['api://{appId}']
    appRoles:
      - value: ToDoList.Read.All
        displayName: Read all
        description: Read every list
        allowedMemberTypes: [Application]
`;

/** Validate a manifest given as YAML text (file name m.yaml, empty environment unless given). */
export function check(yaml: string, opts: ManifestOptions = {}): ValidationResult {
  return validateManifestText('m.yaml', yaml, { env: {}, ...opts });
}

/** `code path` of every problem, e.g. `duplicate-value applications.api.appRoles[1].value`. */
export function codes(yaml: string, opts: ManifestOptions = {}): string[] {
  return check(yaml, opts).problems.map(brief);
}

export function brief(p: Problem): string {
  return `${p.code} ${p.path ?? ''}`.trim();
}

/** The only problem of a manifest (fails when there are none or several). */
export function only(yaml: string, opts: ManifestOptions = {}): Problem {
  const { problems } = check(yaml, opts);
  if (problems.length !== 1) throw new Error(`expected exactly one problem, got ${problems.length}: ${JSON.stringify(problems.map(brief))}`);
  return problems[0];
}
