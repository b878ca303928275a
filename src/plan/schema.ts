/**
 * The documented shape of a plan (`plan --json`, `apply --json`, `destroy --json`, the programmatic API):
 * a zod mirror of src/plan/types.ts, exported as docs/plan.schema.json (`tenantform schema --plan`).
 *
 * Versioning: `formatVersion` changes only when a field changes meaning or goes away; new actions and new
 * optional fields are additions within a version, so consumers should ignore what they do not know.
 * Every action of the Change union must have an entry in SHAPES (a compile error otherwise), and a test
 * checks that docs/plan.schema.json is this schema and that real plans validate against it.
 */
import { z } from 'zod';
import { PLAN_FORMAT_VERSION, type ChangeAction } from './types.js';

// Shared parts carry an `id` so the JSON Schema names them once under $defs.
const appRef = z
  .string()
  .regex(/^app:[^/]+\/.+$/)
  .meta({ id: 'AppRef', description: '`app:<stack>/<key>`: an application of a stack' });
const policyRef = z
  .string()
  .regex(/^policy:[^/]+\/.+$/)
  .meta({ id: 'PolicyRef', description: '`policy:<stack>/<key>`: a conditional access policy of a stack' });
const guid = z.string().meta({ id: 'ObjectId', description: 'an object id or appId (GUID)' });
/** A per-user (consentType Principal) grant's user; absent: the tenant-wide (AllPrincipals) grant. */
const grantUser = z.object({ id: guid, userPrincipalName: z.string() });
const body = z
  .record(z.string(), z.unknown())
  .meta({ id: 'GraphBody', description: 'Graph request body; `{appId}` / `{appId:app:<stack>/<key>}` placeholders are filled in by apply' });
const fieldChange = z
  .object({ field: z.string(), before: z.unknown(), after: z.unknown() })
  .meta({ id: 'FieldChange', description: 'one field: before → after' });
const fields = z.array(fieldChange);
const resource = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('stack'), app: appRef, display: z.string() }),
    z.object({ kind: z.literal('tenant'), servicePrincipalId: guid, display: z.string() }),
  ])
  .meta({ id: 'ResourceRef', description: 'the API of a permission: an application of the stack, or a service principal in the tenant' });

/** Action-specific fields, by action. */
const SHAPES: Record<ChangeAction, z.ZodRawShape> = {
  'create-application': { app: appRef, uniqueName: z.string(), after: body },
  'update-application': { app: appRef, uniqueName: z.string(), fields, after: body },
  'disable-entitlements': { app: appRef, uniqueName: z.string(), roles: z.array(z.string()), scopes: z.array(z.string()), after: body },
  'configure-application': { app: appRef, uniqueName: z.string(), fields, after: body },
  'pre-authorize-applications': { app: appRef, uniqueName: z.string(), fields, after: body },
  'create-service-principal': { app: appRef, after: body },
  'update-service-principal': { app: appRef, fields, after: body },
  'add-secret': { app: appRef, name: z.string(), displayName: z.string(), lifetimeMs: z.number() },
  'remove-secret': { app: appRef, keyId: guid, displayName: z.string(), afterOutputs: z.boolean().optional() },
  'add-certificate': {
    app: appRef,
    name: z.string(),
    displayName: z.string(),
    source: z.enum(['generate', 'file']),
    keyId: guid.nullable(),
    thumbprintSha256: z.string().nullable(),
    subject: z.string().nullable(),
    lifetimeMs: z.number().nullable(),
    file: z.string().nullable(),
    passwordEnv: z.string().nullable(),
  },
  'remove-certificate': { app: appRef, keyId: guid, displayName: z.string(), afterOutputs: z.boolean().optional() },
  'create-federated-credential': { app: appRef, name: z.string(), after: body },
  'update-federated-credential': { app: appRef, name: z.string(), ficId: guid, fields, after: body },
  'delete-federated-credential': { app: appRef, name: z.string(), ficId: guid },
  'create-app-role-assignment': { app: appRef, resource, appRoleId: guid, role: z.string() },
  'delete-app-role-assignment': {
    app: appRef,
    assignmentId: z.string(),
    resourceId: guid,
    resourceDisplayName: z.string().optional(),
    appRoleId: guid,
    role: z.string(),
  },
  'create-delegated-grant': { app: appRef, resource, scope: z.string(), user: grantUser.optional() },
  'update-delegated-grant': { app: appRef, grantId: z.string(), before: z.string(), scope: z.string(), user: grantUser.optional() },
  'delete-delegated-grant': { app: appRef, grantId: z.string(), before: z.string() },
  'create-conditional-access-policy': { policy: policyRef, displayName: z.string(), after: body },
  'update-conditional-access-policy': { policy: policyRef, policyId: guid, displayName: z.string(), fields, after: body },
  'delete-conditional-access-policy': { policy: policyRef, policyId: guid, displayName: z.string() },
  'write-output': { path: z.string(), sensitive: z.boolean(), status: z.enum(['create', 'update']) },
  'delete-service-principal': { app: appRef, servicePrincipalId: guid, displayName: z.string() },
  'delete-application': { app: appRef, uniqueName: z.string().nullable(), objectId: guid, appId: guid, displayName: z.string() },
  'purge-deleted-object': { app: appRef, objectType: z.enum(['application', 'servicePrincipal']), objectId: guid, displayName: z.string() },
  'restore-deleted-application': {
    app: appRef,
    uniqueName: z.string(),
    objectId: guid,
    appId: guid,
    servicePrincipalId: guid.nullable(),
    deletedDateTime: z.string().nullable(),
  },
  'adopt-application': {
    app: appRef,
    uniqueName: z.string(),
    objectId: guid,
    appId: guid,
    fields,
    after: body,
    servicePrincipalId: guid.nullable(),
    servicePrincipalTags: z.array(z.string()).nullable(),
  },
};

const base = {
  id: z.string().describe('stable address of the change, e.g. `app:todolist-daemon/api`'),
  wave: z.number().int().min(0).describe('dependency wave: wave n only depends on waves < n; a wave runs in parallel'),
  dependsOn: z.array(z.string()).describe('ids of changes in this plan that must be done first'),
  reason: z.string().describe('why this change is needed, in words'),
};

const variants = (Object.keys(SHAPES) as ChangeAction[]).map((action) => z.object({ action: z.literal(action), ...base, ...SHAPES[action] }));

export const ChangeSchema = z
  .discriminatedUnion('action', variants as unknown as [z.ZodObject, ...z.ZodObject[]])
  .meta({ id: 'Change', description: 'one change; a discriminated union on "action"' });

export const PlanSchema = z
  .object({
    formatVersion: z.literal(PLAN_FORMAT_VERSION),
    operation: z.enum(['apply', 'destroy', 'import']).optional().describe('what executing the plan does; absent = apply'),
    createdAt: z.string().describe('ISO 8601 time the plan was made'),
    tenant: z.object({
      id: z.string(),
      kind: z.enum(['local', 'remote']).describe('local = the emulator'),
      identity: z.string().describe('who acts: display name / upn and client id from the Graph token'),
      type: z.string().optional().describe('AAD (workforce) or CIAM (External ID)'),
    }),
    stacks: z.array(z.string()),
    changes: z.array(ChangeSchema).describe('ordered by (wave, id); never holds a secret value'),
    warnings: z.array(z.string()),
  })
  .meta({
    title: 'tenantform plan',
    description: `A tenantform plan, format version ${PLAN_FORMAT_VERSION}: plain data, JSON round-trippable, without secrets. Changes are a discriminated union on "action".`,
  });

/** The JSON Schema (draft 2020-12) of plans: docs/plan.schema.json. */
export function planJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(PlanSchema, { io: 'input' }) as Record<string, unknown>;
}

/** The exact text of docs/plan.schema.json (`tenantform schema --plan`). */
export function planSchemaText(): string {
  return `${JSON.stringify(planJsonSchema(), null, 2)}\n`;
}
