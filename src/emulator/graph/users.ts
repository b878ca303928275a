import type { User } from '@microsoft/microsoft-graph-types';
import { PERMS, type GraphCtx, type GraphRoute } from '../context.js';
import { graphErrors } from '../errors.js';
import { json, noContent, type EmuResponse } from '../http.js';
import { parseKey } from '../router.js';
import type { Tenant, UserInternals } from '../store/index.js';
import { buildUser, hashPassword, upnShapeProblem } from '../users.js';
import { countCollection } from './counts.js';
import { listResponse, parseSelect, project } from './odata.js';
import type { OrderSpec } from './orderby.js';
import type { SearchSpec } from './search.js';
import { DIRECTORY_LIST_QUERY } from './query-options.js';
import { isGuid } from './validate-body.js';

/**
 * /users: list, get (by id or userPrincipalName), create and delete test users.
 * https://learn.microsoft.com/graph/api/resources/user, user-list, user-get, user-post-users, user-delete.
 *
 * The emulator models the identity of a user (names, sign-in name, account state, password, one MFA method), not
 * its workloads: properties it does not keep, navigation properties (manager, memberOf, …), PATCH and every
 * sub-resource answer 501, never a made-up value.
 */

/** Structural properties of microsoft.graph.user in v1.0 (from @microsoft/microsoft-graph-types 2.43, plus entity/directoryObject's). */
const STRUCTURAL = new Set(
  (
    'id deletedDateTime aboutMe accountEnabled ageGroup assignedLicenses assignedPlans authorizationInfo birthday businessPhones city ' +
    'companyName consentProvidedForMinor country createdDateTime creationType customSecurityAttributes department ' +
    'deviceEnrollmentLimit displayName employeeHireDate employeeId employeeLeaveDateTime employeeOrgData employeeType ' +
    'externalUserState externalUserStateChangeDateTime faxNumber givenName hireDate identities imAddresses interests ' +
    'isManagementRestricted isResourceAccount jobTitle lastPasswordChangeDateTime legalAgeGroupClassification ' +
    'licenseAssignmentStates mail mailboxSettings mailNickname mobilePhone mySite officeLocation onPremisesDistinguishedName ' +
    'onPremisesDomainName onPremisesExtensionAttributes onPremisesImmutableId onPremisesLastSyncDateTime ' +
    'onPremisesProvisioningErrors onPremisesSamAccountName onPremisesSecurityIdentifier onPremisesSyncEnabled ' +
    'onPremisesUserPrincipalName otherMails passwordPolicies passwordProfile pastProjects postalCode preferredDataLocation ' +
    'preferredLanguage preferredName print provisionedPlans proxyAddresses responsibilities schools securityIdentifier ' +
    'serviceProvisioningErrors showInAddressList signInActivity signInSessionsValidFromDateTime skills state streetAddress ' +
    'surname usageLocation userPrincipalName userType'
  ).split(' '),
);

/** Navigation properties of microsoft.graph.user in v1.0 (same source): binding or expanding them is not modelled. */
const NAVIGATION = new Set(
  (
    'activities agreementAcceptances appRoleAssignments authentication calendar calendarGroups calendars calendarView chats ' +
    'cloudClipboard contactFolders contacts createdObjects dataSecurityAndGovernance deviceManagementTroubleshootingEvents ' +
    'directReports drive drives employeeExperience events extensions followedSites inferenceClassification insights ' +
    'joinedTeams licenseDetails mailFolders managedAppRegistrations managedDevices manager memberOf messages ' +
    'oauth2PermissionGrants onenote onlineMeetings outlook ownedDevices ownedObjects people permissionGrants photo photos ' +
    'planner presence registeredDevices scopedRoleMemberOf settings solutions sponsors teamwork todo transitiveMemberOf'
  ).split(' '),
);

/** What the emulator keeps and returns with `$select` (every other structural property answers 501). */
export const USER_MODELLED = [
  'id',
  'deletedDateTime',
  'accountEnabled',
  'businessPhones',
  'city',
  'companyName',
  'country',
  'createdDateTime',
  'creationType',
  'department',
  'displayName',
  'employeeId',
  'faxNumber',
  'givenName',
  'jobTitle',
  'mail',
  'mailNickname',
  'mobilePhone',
  'officeLocation',
  'otherMails',
  'passwordPolicies',
  'postalCode',
  'preferredLanguage',
  'proxyAddresses',
  'state',
  'streetAddress',
  'surname',
  'usageLocation',
  'userPrincipalName',
  'userType',
] as const;
const MODELLED = new Set<string>(USER_MODELLED);

/**
 * Without `$select`, v1.0 returns only "a subset of the more commonly used properties" (user-get), in this order
 * (the docs' samples): accountEnabled, for one, needs `$select=accountEnabled`.
 */
export const USER_DEFAULT_SELECT = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
] as const;

/** Properties POST /users takes besides passwordProfile (user-post-users: "any other writable properties"). */
const STRING_WRITABLE = [
  'displayName',
  'mailNickname',
  'userPrincipalName',
  'givenName',
  'surname',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'department',
  'companyName',
  'employeeId',
  'usageLocation',
  'city',
  'country',
  'postalCode',
  'state',
  'streetAddress',
  'faxNumber',
  'passwordPolicies',
  'userType',
];
const LIST_WRITABLE = ['businessPhones', 'otherMails'];
/** Read-only properties that are modelled: setting them is refused (UNCONFIRMED text, the grants route's). */
const READ_ONLY = ['id', 'deletedDateTime', 'createdDateTime', 'creationType', 'proxyAddresses'];

/** $filter: the properties the user resource lists as filterable with eq/startsWith that the emulator keeps. */
const FILTERABLE = [
  'id',
  'userPrincipalName',
  'displayName',
  'mail',
  'mailNickname',
  'givenName',
  'surname',
  'accountEnabled',
  'userType',
  'jobTitle',
  'department',
  'employeeId',
  'companyName',
  'city',
  'country',
  'state',
  'officeLocation',
  'usageLocation',
  'businessPhones',
  'otherMails',
  'proxyAddresses',
];

/** `$search`: tokenized on displayName (users have no description), `startsWith` on the other $filter properties (graph/search.ts). */
const SEARCH: SearchSpec = { tokenized: ['displayName'], startsWith: FILTERABLE.filter((p) => p !== 'displayName'), resource: 'user' };

/**
 * `$orderby`: displayName and userPrincipalName (user resource, property table); they sort without advanced query
 * parameters — `/users?$orderby=displayName desc` is the query-parameters page's own example — unless a $filter or
 * $search is present (graph/orderby.ts).
 */
const ORDERBY: OrderSpec = { byDefault: ['displayName', 'userPrincipalName'], advanced: [], type: 'user', properties: MODELLED };

export const userRoutes: GraphRoute[] = [
  {
    method: 'GET',
    pattern: 'users',
    anyOf: PERMS.userRead,
    query: DIRECTORY_LIST_QUERY,
    handler: (ctx) => {
      checkSelect(ctx);
      return listResponse(ctx, {
        entitySet: 'users',
        type: 'user',
        items: ctx.env.tenant.users.list(),
        filterable: FILTERABLE,
        resource: 'user',
        properties: MODELLED,
        defaultSelect: USER_DEFAULT_SELECT,
        search: SEARCH,
        orderby: ORDERBY,
      });
    },
  },
  {
    // https://learn.microsoft.com/graph/api/user-list, "Get only a count of users" (graph/counts.ts).
    method: 'GET',
    pattern: 'users/$count',
    anyOf: PERMS.userRead,
    query: ['$filter'],
    handler: (ctx) => countCollection(ctx, ctx.env.tenant.users.list(), FILTERABLE, 'user'),
  },
  { method: 'POST', pattern: 'users', anyOf: PERMS.userWrite, handler: createUser },
  { method: 'GET', pattern: 'users/:user', anyOf: PERMS.userRead, handler: (ctx) => userResponse(ctx, findUser(ctx.env.tenant, ctx.params.user)) },
  {
    method: 'PATCH',
    pattern: 'users/:user',
    anyOf: PERMS.userWrite,
    handler: () => {
      throw graphErrors.notImplemented('PATCH /users/{id} (test users are changed through the emulator: addUser, the users option)');
    },
  },
  {
    // https://learn.microsoft.com/graph/api/user-delete → 204; the user goes to directory/deletedItems.
    method: 'DELETE',
    pattern: 'users/:user',
    anyOf: PERMS.userWrite,
    handler: (ctx) => {
      const user = findUser(ctx.env.tenant, ctx.params.user);
      ctx.env.tenant.users.softDelete(user.id!);
      return noContent();
    },
  },
];

/** `/users/{id | userPrincipalName}` as a replica sees it; 404 Request_ResourceNotFound otherwise (user-get). */
export function findUser(tenant: Tenant, segment: string): User {
  const key = parseKey(segment);
  const value = key.value;
  const user = key.kind === 'id' ? (isGuid(value) ? tenant.users.visible(value) : tenant.users.byUserPrincipalName(value)) : undefined;
  if (!user) throw graphErrors.notFound(value);
  return user;
}

/** `$select` naming a real user property the emulator does not keep: 501 (Graph would return its value). */
function checkSelect(ctx: GraphCtx): void {
  const raw = ctx.req.query.get('$select');
  for (const name of (raw ?? '').split(',').map((s) => s.trim())) {
    if ((STRUCTURAL.has(name) && !MODELLED.has(name)) || NAVIGATION.has(name)) {
      throw graphErrors.notImplemented(`the user property '${name}'`);
    }
  }
}

/** 200 with one user: the default subset, or the `$select`ed properties. */
export function userResponse(ctx: GraphCtx, user: User, status = 200): EmuResponse {
  checkSelect(ctx);
  const select = parseSelect(ctx, 'user', MODELLED);
  const sel = select ? `(${select.join(',')})` : '';
  return json(status, { '@odata.context': `${ctx.env.graphUrl}/v1.0/$metadata#users${sel}/$entity`, ...project(user, select ?? [...USER_DEFAULT_SELECT]) });
}

// ---------------------------------------------------------------- POST /users

const REQUIRED = ['accountEnabled', 'displayName', 'mailNickname', 'passwordProfile', 'userPrincipalName'];

/** "Property mailNickname value is required but is empty or missing." (microsoftgraph/MSGraph-SDK-Code-Generator#244, 2023). */
const required = (name: string) => graphErrors.badRequest(`Property ${name} value is required but is empty or missing.`);
/** The directory's invalid-value shape, observed for mailNickname (microsoft-graph-docs-contrib#6580). */
const invalidValue = (name: string) =>
  graphErrors.badRequest(`Invalid value specified for property '${name}' of resource 'User'.`, [
    { code: 'InvalidValue', message: `Invalid value specified for property '${name}' of resource 'User'.`, target: name },
  ]);
const unknownProperty = (name: string, type: string) =>
  graphErrors.bodyRead(
    `The property '${name}' does not exist on type 'microsoft.graph.${type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
  );
const notConvertible = (edm: string) =>
  graphErrors.bodyRead(`Cannot convert a primitive value to the expected type '${edm}'. See the inner exception for more details.`);

/** POST /users → 201 + the user (its default properties), https://learn.microsoft.com/graph/api/user-post-users. */
function createUser(ctx: GraphCtx): EmuResponse {
  const tenant = ctx.env.tenant;
  const body = objectOf(ctx.req.body);
  const props: Record<string, unknown> = {};
  let passwordProfile: { password?: unknown; forceChangePasswordNextSignIn?: unknown } = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === '@odata.type') {
      if (value !== '#microsoft.graph.user' && value !== 'microsoft.graph.user') throw graphErrors.notImplemented(`creating a '${String(value)}'`);
      continue;
    }
    if (key.includes('@')) throw graphErrors.notImplemented(`'${key}' on POST /users`);
    if (NAVIGATION.has(key)) throw graphErrors.notImplemented(`the user navigation property '${key}'`);
    if (!STRUCTURAL.has(key)) throw unknownProperty(key, 'user');
    if (key === 'passwordProfile') {
      passwordProfile = checkPasswordProfile(value);
      continue;
    }
    if (key === 'accountEnabled') {
      if (typeof value !== 'boolean' && value !== null) throw notConvertible('Edm.Boolean');
    } else if (STRING_WRITABLE.includes(key)) {
      if (typeof value !== 'string' && value !== null) throw notConvertible('Edm.String');
    } else if (LIST_WRITABLE.includes(key)) {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw notConvertible('Edm.String');
    } else if (READ_ONLY.includes(key)) {
      throw graphErrors.badRequest(`Property '${key}' is read-only and cannot be set.`);
    } else {
      throw graphErrors.notImplemented(`the user property '${key}'`);
    }
    props[key] = value;
  }
  for (const name of REQUIRED) {
    const v = name === 'passwordProfile' ? passwordProfile.password : props[name];
    if (v === undefined || v === null || v === '') throw required(name === 'passwordProfile' ? 'passwordProfile' : name);
  }
  const upn = props.userPrincipalName as string;
  // UNCONFIRMED text for a malformed alias (public write-ups quote "Property userPrincipalName is invalid").
  if (upnShapeProblem(upn)) throw graphErrors.badRequest('Property userPrincipalName is invalid.');
  const domain = upn.slice(upn.indexOf('@') + 1).toLowerCase();
  if (!tenant.verifiedDomains().some((d) => d.toLowerCase() === domain)) {
    // Observed text (many public reports, e.g. terraform and CIPP issue threads quoting Graph's 400 Request_BadRequest).
    throw graphErrors.badRequest(
      'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.',
    );
  }
  if (!/^[\x21-\x7e]{1,64}$/.test(props.mailNickname as string) || /[@()\\[\]";:<>,]/.test(props.mailNickname as string)) throw invalidValue('mailNickname');
  const password = passwordProfile.password as string;
  if (!complexEnough(password)) {
    // Observed text (microsoftgraph/msgraph-sdk-java-auth#36).
    throw graphErrors.badRequest('The specified password does not comply with password complexity requirements. Please provide a different password.');
  }
  // Uniqueness on the write master (a user created a moment ago counts): microsoft-graph-docs#1508 shows the answer.
  if (tenant.users.masterByUserPrincipalName(upn)) {
    const message = 'Another object with the same value for property userPrincipalName already exists.';
    throw graphErrors.badRequest(message, [{ code: 'ObjectConflict', message, target: 'userPrincipalName' }]);
  }
  const user = buildUser({ ...(props as Partial<User>), userPrincipalName: upn, displayName: props.displayName as string }, ctx.env.clock.iso());
  const internals: UserInternals = { password: hashPassword(password) };
  if (passwordProfile.forceChangePasswordNextSignIn === true) internals.forceChangePasswordNextSignIn = true;
  tenant.users.create(user, internals);
  return userResponse(ctx, user, 201);
}

function objectOf(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw graphErrors.badRequest('Empty Payload. JSON content expected.');
  return body as Record<string, unknown>;
}

/** passwordProfile: password, forceChangePasswordNextSignIn, forceChangePasswordNextSignInWithMfa (passwordprofile resource). */
function checkPasswordProfile(value: unknown): { password?: unknown; forceChangePasswordNextSignIn?: unknown } {
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw graphErrors.bodyRead(
      `An unexpected '${Array.isArray(value) ? 'StartArray' : 'PrimitiveValue'}' node was found when reading from the JSON reader. A 'StartObject' node was expected.`,
    );
  }
  const p = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(p)) {
    if (k.startsWith('@')) continue;
    if (k === 'password') {
      if (typeof v !== 'string' && v !== null) throw notConvertible('Edm.String');
    } else if (k === 'forceChangePasswordNextSignIn' || k === 'forceChangePasswordNextSignInWithMfa') {
      if (typeof v !== 'boolean' && v !== null) throw notConvertible('Edm.Boolean');
      if (k === 'forceChangePasswordNextSignInWithMfa' && v === true) throw graphErrors.notImplemented('passwordProfile.forceChangePasswordNextSignInWithMfa');
    } else {
      throw unknownProperty(k, 'passwordProfile');
    }
  }
  return p;
}

/**
 * Entra's cloud password policy: 8 to 256 characters, three of lowercase, uppercase, digits and symbols
 * (https://learn.microsoft.com/entra/identity/authentication/concept-sspr-policy#password-policies-that-only-apply-to-cloud-user-accounts).
 * The banned-password list and "must not contain the user name" are not modelled.
 */
function complexEnough(password: string): boolean {
  if (password.length < 8 || password.length > 256) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  return classes >= 3;
}
