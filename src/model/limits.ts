/**
 * Limits Entra enforces on the objects tenantform manages. Shared by validation (manifest/, offline, with a
 * location) and the planner (plan/, against what the tenant already holds), so the two never disagree.
 */

/** An application holds at most 20 federated identity credentials (https://learn.microsoft.com/graph/api/resources/federatedidentitycredentials-overview). */
export const MAX_FEDERATED_CREDENTIALS = 20;
