/** The properties every read of a managed object selects (one list, so reads and plans agree). */
export const APP_SELECT = [
  'id',
  'appId',
  'uniqueName',
  'displayName',
  'description',
  'signInAudience',
  'identifierUris',
  'api',
  'appRoles',
  'optionalClaims',
  'tags',
  'passwordCredentials',
  // With $select, Graph returns keyCredentials[].key too (https://learn.microsoft.com/graph/api/application-get):
  // plan compares certificates by content, and apply must resend every key in its read-modify-write PATCH.
  'keyCredentials',
  'requiredResourceAccess',
  'spa',
  'web',
  'publicClient',
  'isFallbackPublicClient',
  'createdDateTime',
].join(',');

export const SP_SELECT = [
  'id',
  'appId',
  'displayName',
  'appRoleAssignmentRequired',
  'tags',
  'appRoles',
  'oauth2PermissionScopes',
  'servicePrincipalNames',
].join(',');
