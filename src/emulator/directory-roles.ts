/**
 * The built-in Microsoft Entra roles a test user can hold, by display name, with their role template ids (the same
 * in every tenant: https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference).
 * A delegated Graph call is allowed only as far as both the token's scopes and the signed-in user's roles allow
 * (https://learn.microsoft.com/graph/permissions-overview#delegated-permissions), so which roles a user holds decides
 * what `tenantform --auth device-code` may do as that user. Conditional access targets roles by the same ids
 * (`conditions.users.includeRoles`).
 */
export const DIRECTORY_ROLES = {
  'Global Administrator': '62e90394-69f5-4237-9190-012177145e10',
  'Privileged Role Administrator': 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  'Application Administrator': '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
  'Cloud Application Administrator': '158c047a-c907-4556-b7ef-446551a6b5f7',
  'Application Developer': 'cf1c38e5-3621-4004-a7cb-879624dced7c',
  'Conditional Access Administrator': 'b1be1c3e-b65d-4f19-8427-f6fa0d97feb9',
  'Security Administrator': '194ae4cb-b126-40b2-bd5b-6091b380977d',
  'User Administrator': 'fe930be7-5e62-47db-91af-98c3a49a38b1',
  'Global Reader': 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
} as const;

export type DirectoryRoleName = keyof typeof DIRECTORY_ROLES;

export const DIRECTORY_ROLE_NAMES = Object.keys(DIRECTORY_ROLES) as DirectoryRoleName[];

/** The template id of a role named by display name (any case) or by its template id; undefined for neither. */
export function directoryRoleId(nameOrId: string): string | undefined {
  const wanted = nameOrId.trim().toLowerCase();
  for (const [name, id] of Object.entries(DIRECTORY_ROLES)) {
    if (name.toLowerCase() === wanted || id === wanted) return id;
  }
  return undefined;
}

/** The display name of a role template id, for messages. */
export function directoryRoleName(id: string): string {
  return (Object.entries(DIRECTORY_ROLES).find(([, v]) => v === id.toLowerCase())?.[0] as string | undefined) ?? id;
}
