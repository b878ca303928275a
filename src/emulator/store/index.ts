/**
 * The emulator's store: per tenant, a set of whole operations (create, update, soft-delete, restore, purge,
 * add/remove credentials, assignments, grants, users, refresh tokens, …) that model replication lag and persist themselves.
 * Handlers (graph/, login/) use only these; nothing else touches a TenantState.
 */
export { Tenant, type TenantOptions } from './tenant.js';
export type { ApplicationStore } from './applications.js';
export type { ServicePrincipalStore } from './service-principals.js';
export type { AssignmentStore, GrantStore } from './consents.js';
export type { ConditionalAccessPolicyStore } from './policies.js';
export type { RecycleBin } from './recycle-bin.js';
export type { UserStore } from './users.js';
export type { RefreshTokenStore } from './refresh-tokens.js';
export { loadState, type DeletedItem, type PasswordHash, type RefreshTokenRecord, type SigningKey, type TenantState, type UserInternals } from './state.js';
