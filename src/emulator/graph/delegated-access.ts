import { DIRECTORY_ROLES } from '../directory-roles.js';

/**
 * What a delegated (user) token may do in Graph: "the effective permissions of your app are the intersection of the
 * delegated permissions the app has been granted (via consent) and the privileges of the currently signed-in user"
 * (https://learn.microsoft.com/graph/permissions-overview#delegated-permissions). The emulator's routes and
 * handlers check permission names, so a user token is turned into the names it effectively holds: each scope the
 * user's roles allow in full, a write scope the roles do not allow degraded to what a member user may do with it
 * (read, and manage what the user owns), nothing for scopes that need a role the user lacks.
 *
 * A member user, without any role, may by default read the directory (applications, service principals, users, the
 * organization, grants and assignments) and register applications, and manage the applications and service
 * principals it owns (https://learn.microsoft.com/entra/fundamentals/users-default-permissions). Conditional access
 * policies need a role even to be read.
 */

const R = DIRECTORY_ROLES;

/** Which roles allow each permission in full; a permission absent here needs no role beyond a member user's. */
const NEEDS_ROLE: Record<string, readonly string[]> = {
  // https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference#application-administrator
  'Application.ReadWrite.All': [R['Global Administrator'], R['Application Administrator'], R['Cloud Application Administrator']],
  // Assigning app roles (application permissions) and granting tenant-wide delegated consent: the application
  // administrators, except for Microsoft Graph's app roles, which only a Privileged Role Administrator or a Global
  // Administrator may grant (checked where assignments are created: assignments.ts).
  'AppRoleAssignment.ReadWrite.All': [
    R['Global Administrator'],
    R['Privileged Role Administrator'],
    R['Application Administrator'],
    R['Cloud Application Administrator'],
  ],
  'DelegatedPermissionGrant.ReadWrite.All': [
    R['Global Administrator'],
    R['Privileged Role Administrator'],
    R['Application Administrator'],
    R['Cloud Application Administrator'],
  ],
  'Directory.ReadWrite.All': [R['Global Administrator']],
  'User.ReadWrite.All': [R['Global Administrator'], R['User Administrator']],
  // https://learn.microsoft.com/graph/api/conditionalaccessroot-post-policies (roles of the delegated scenario)
  'Policy.ReadWrite.ConditionalAccess': [R['Global Administrator'], R['Conditional Access Administrator'], R['Security Administrator']],
  'Policy.Read.All': [R['Global Administrator'], R['Conditional Access Administrator'], R['Security Administrator'], R['Global Reader']],
  'Policy.Read.ConditionalAccess': [R['Global Administrator'], R['Conditional Access Administrator'], R['Security Administrator'], R['Global Reader']],
};

/** What a member user keeps of a write scope its roles do not allow. */
const MEMBER_SHARE: Record<string, readonly string[]> = {
  'Application.ReadWrite.All': ['Application.Read.All', 'Application.ReadWrite.OwnedBy'],
  'AppRoleAssignment.ReadWrite.All': ['Application.Read.All'],
  'DelegatedPermissionGrant.ReadWrite.All': ['Directory.Read.All'],
  'Directory.ReadWrite.All': ['Directory.Read.All'],
  'User.ReadWrite.All': ['User.Read.All'],
};

/**
 * "Access the directory as the signed-in user": whatever the user may do in the directory, in the permissions the
 * emulator's routes name. Conditional access is not part of it: its APIs list only the Policy.* permissions.
 */
const AS_USER = [
  'Application.ReadWrite.All',
  'AppRoleAssignment.ReadWrite.All',
  'DelegatedPermissionGrant.ReadWrite.All',
  'Directory.ReadWrite.All',
  'Directory.Read.All',
  'User.ReadWrite.All',
  'Organization.Read.All',
];

/** The permission names a user token effectively holds, from its scopes and the user's role template ids. */
export function effectivePermissions(scopes: readonly string[], roleIds: readonly string[]): string[] {
  const held = new Set(roleIds.map((r) => r.toLowerCase()));
  const out = new Set<string>();
  const asked = scopes.flatMap((s) => (s === 'Directory.AccessAsUser.All' ? AS_USER : [s]));
  for (const scope of asked) {
    const roles = NEEDS_ROLE[scope];
    if (!roles || roles.some((r) => held.has(r))) out.add(scope);
    else for (const share of MEMBER_SHARE[scope] ?? []) out.add(share);
  }
  return [...out];
}

/** Whether the user's roles let it grant Microsoft Graph's app roles (application permissions). */
export function mayGrantGraphAppRoles(roleIds: readonly string[]): boolean {
  const held = new Set(roleIds.map((r) => r.toLowerCase()));
  return [R['Global Administrator'], R['Privileged Role Administrator']].some((r) => held.has(r));
}
