/** The mark of a stack on what it owns: app/SP tags, federated credential and policy descriptions (docs/architecture.md). */
export const OWNERSHIP_TAG_PREFIX = 'tenantform:stack=';
