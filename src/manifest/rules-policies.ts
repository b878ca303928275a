/**
 * Conditional access policies (https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy): what
 * the schema cannot say. Applications are named by manifest key, appId or one of Graph's keywords (display
 * names are refused by Graph); users, groups and roles by object id; `block` stands alone.
 */
import { CA_APP_KEYWORDS, CA_USER_KEYWORDS } from '../model/policies.js';
import type { CheckedManifest } from './checked.js';
import { duplicates, type Reporter } from './report.js';
import { GUID, USER_REF } from './rules-links.js';
import { APP_KEY, APP_KEY_MAX } from './schema.js';

/** Microsoft's advice for policies that apply to everyone (emergency access accounts). */
const EMERGENCY_ACCESS = 'https://learn.microsoft.com/entra/identity/role-based-access-control/security-emergency-access';

/** The keyword in Graph's spelling when `value` is one, compared case-insensitively. */
export function keyword(value: string, keywords: readonly string[]): string | undefined {
  return keywords.find((k) => k.toLowerCase() === value.toLowerCase());
}

export function checkPolicies(m: CheckedManifest, report: Reporter): void {
  for (const key of m.policyKeys) {
    if (!APP_KEY.test(key) || key.length > APP_KEY_MAX) {
      report.add('invalid-value', ['conditionalAccessPolicies', key], `Policy key "${key}" is not allowed`, {
        target: 'key',
        hint: `start with a letter; then letters, digits, - or _ (at most ${APP_KEY_MAX}); it marks the policy as this stack's in its description`,
      });
    }
  }
  for (const [key, p] of m.policies) {
    const base = ['conditionalAccessPolicies', key];
    (['include', 'exclude'] as const).forEach((side) => {
      const list = p.applications[side];
      list.forEach((name, i) => {
        if (m.appKeys.has(name) || GUID.test(name) || keyword(name, CA_APP_KEYWORDS)) return;
        report.add(
          'dangling-reference',
          [...base, 'applications', side, i],
          `Policy "${key}" names the application "${name}", which is neither an application of this manifest, an appId nor one of ${CA_APP_KEYWORDS.join(', ')}`,
          { hint: m.appKeys.size ? `manifest applications: ${[...m.appKeys].join(', ')}` : 'Graph refuses display names here: use the appId' },
        );
      });
      duplicates(
        list.map((v, i) => ({ value: v.toLowerCase(), path: [...base, 'applications', side, i] })),
        report,
        (v, also) => `Application "${v}" is listed twice in policy "${key}" (also at ${also})`,
      );
    });
    const users = p.users;
    (['include', 'exclude'] as const).forEach((side) => {
      users[side].forEach((name, i) => {
        // A userPrincipalName is resolved to its object id at plan time (Graph takes ids only).
        if (GUID.test(name) || USER_REF.test(name) || keyword(name, CA_USER_KEYWORDS)) return;
        report.add(
          'invalid-value',
          [...base, 'users', side, i],
          `Policy "${key}" names the user "${name}", which is neither a userPrincipalName nor an object id`,
          {
            hint: `alias@contoso.com, an object id, or one of ${CA_USER_KEYWORDS.join(', ')}`,
          },
        );
      });
    });
    for (const field of ['includeGroups', 'excludeGroups', 'includeRoles', 'excludeRoles'] as const) {
      users[field].forEach((id, i) => {
        if (GUID.test(id)) return;
        const what = field.endsWith('Groups') ? 'group object id' : 'directory role template id';
        report.add('invalid-value', [...base, 'users', field, i], `"${id}" in users.${field} of policy "${key}" is not a ${what} (a GUID)`);
      });
    }
    const controls = p.grant.controls;
    if (controls.includes('block') && controls.length > 1) {
      report.add(
        'invalid-value',
        [...base, 'grant', 'controls'],
        `Policy "${key}" combines block with other grant controls; block denies access and stands alone`,
      );
    }
    duplicates(
      controls.map((v, i) => ({ value: v, path: [...base, 'grant', 'controls', i] })),
      report,
      (v, also) => `Grant control "${v}" is listed twice in policy "${key}" (also at ${also})`,
    );
    const everyone = users.include.some((u) => u.toLowerCase() === 'all');
    const exclusions = users.exclude.length + users.excludeGroups.length + users.excludeRoles.length;
    if (p.state === 'enabled' && everyone && exclusions === 0) {
      report.add(
        'invalid-value',
        [...base, 'state'],
        `Policy "${key}" is enabled for all users with no exclusions: if it is wrong, it locks out every account, administrators included`,
        {
          severity: 'warning',
          hint: `exclude your emergency access accounts (${EMERGENCY_ACCESS}), or start report-only (state: enabledForReportingButNotEnforced)`,
        },
      );
    }
  }
}
