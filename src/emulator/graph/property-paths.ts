import { PERMS, type GraphCtx, type GraphRoute } from '../context.js';
import { GraphFault, graphErrors } from '../errors.js';
import { json, noContent, type EmuResponse } from '../http.js';
import { parseKey } from '../router.js';
import appTypes from '../data/graph-v1.0-app-types.json' with { type: 'json' };
import { requireApplication } from './app-access.js';
import { project } from './odata.js';
import { findServicePrincipal, servicePrincipalView } from './sp-model.js';

/**
 * Property paths: `GET /applications/{key}/{property}` and `GET /servicePrincipals/{key}/{property}` — the OData way to
 * read one structural property (OData 4.01 Protocol §11.2.6 "Requesting Individual Properties").
 *
 * - A collection-valued property answers `{"@odata.context": "…/$metadata#servicePrincipals('{id}')/appRoles",
 *   "value": […]}` (the response to `GET /servicePrincipals/{id}/appRoles` shown in Microsoft's beta synchronization
 *   docs, microsoft-graph-docs localized copies); a primitive one `{"@odata.context": …, "value": v}` (the
 *   `…#applications('{appId}')/authenticationBehaviors/removeUnverifiedEmailClaim` → `{"value": true}` sample of the
 *   authenticationBehaviors docs); a complex one the object with its context (`…/api`, `…/web`).
 * - A single-valued property whose value is null: 204 No Content — OData: "If the property is single-valued and has the
 *   null value, the service responds with 204 No Content" (Protocol §11.2.6). That Graph's directory does this for
 *   e.g. `/applications/{id}/api` when api is null is UNCONFIRMED.
 * - A name the type does not have: 400 BadRequest "Resource not found for the segment '{name}'." (ODataLib's text, the
 *   one Graph answers for an unknown segment; msgraph-sdk-javascript#1178 shows it for `v1.0` in a batch url).
 * - Real navigation properties and bound actions/functions the emulator does not route (`extensionProperties`,
 *   `setVerifiedPublisher`, …), `$ref`, `$value` and type casts: 501.
 * - Only GET: a write to a property path answers 501 (Graph's own support for PATCH/PUT on property paths of
 *   directory objects is UNCONFIRMED); a name that has routes of its own (`owners`, `addPassword`, …) keeps answering
 *   405 for a method it does not take, as the router did before this route existed.
 * - Property names are matched case-insensitively and answered in their schema spelling (UNCONFIRMED for Graph).
 * - Key in the context URL: the object id for `/{id}`; for an alternate key the form observed for
 *   `servicePrincipals(appId='…')/endpoints`: `servicePrincipals('appId%3D{appId}')` (Black Hat EU talk on Intune
 *   enrollment, slide 16, a real Graph response). For applications the same form is UNCONFIRMED.
 */

type Kind = 'application' | 'servicePrincipal';

interface TypeInfo {
  properties?: Record<string, string>;
  navigation?: Record<string, string>;
}

const TYPES = appTypes.types as Record<string, TypeInfo>;
const ACTIONS = appTypes.boundActions as Record<string, Record<string, unknown>>;

/** Bound functions of directoryObject/application/servicePrincipal in v1.0 that the CSDL extract does not list (it keeps actions). */
const FUNCTIONS = ['delta', 'getByIds', 'getAvailableExtensionProperties', 'validateProperties'];

/** Properties whose value the emulator does not keep or cannot return this way. */
const UNMODELLED: Record<string, string> = {
  customSecurityAttributes: 'customSecurityAttributes (needs attribute definitions; returned only on $select)',
};

/** The GET, PATCH, PUT, POST and DELETE routes of both property paths; `routes` are the other Graph routes (for 405s). */
export function propertyPathRoutes(routes: readonly GraphRoute[]): GraphRoute[] {
  const taken = (prefix: string) =>
    new Set(
      routes
        .map((r) => r.pattern.split('/'))
        .filter((p) => p.length === 3 && p[0] === prefix && p[1].startsWith(':') && !p[2].startsWith(':'))
        .map((p) => p[2].toLowerCase()),
    );
  const paths: Array<{ pattern: string; kind: Kind; taken: Set<string> }> = [
    { pattern: 'applications/:app/:property', kind: 'application', taken: taken('applications') },
    { pattern: 'servicePrincipals/:sp/:property', kind: 'servicePrincipal', taken: taken('servicePrincipals') },
  ];
  return paths.flatMap(({ pattern, kind, taken }): GraphRoute[] => [
    { method: 'GET', pattern, anyOf: PERMS.appRead, query: [], handler: (ctx) => readProperty(ctx, kind, taken) },
    ...(['PATCH', 'PUT', 'POST', 'DELETE'] as const).map((method): GraphRoute => ({
      method,
      pattern,
      anyOf: PERMS.appRead,
      handler: (ctx) => {
        if (taken.has(ctx.params.property.toLowerCase())) throw graphErrors.methodNotAllowed();
        throw graphErrors.notImplemented(
          `${method} on the property path /${kind === 'application' ? 'applications' : 'servicePrincipals'}/{id}/${ctx.params.property}`,
        );
      },
    })),
  ]);
}

function readProperty(ctx: GraphCtx, kind: Kind, taken: Set<string>): EmuResponse {
  const segment = ctx.params.property;
  // The URL is parsed before anything is looked up: an unknown segment is a 400 even for an unknown object.
  const property = resolve(kind, segment, taken);
  const entity = load(ctx, kind);
  const context = `${ctx.env.graphUrl}/v1.0/$metadata#${kind === 'application' ? 'applications' : 'servicePrincipals'}('${contextKey(ctx, kind, entity)}')/${property}`;
  const edm = TYPES[kind].properties![property];
  let value = (entity as Record<string, unknown>)[property];
  if (edm.endsWith('[]') || edm.includes('[] ')) {
    // keyCredentials[].key stays null, as in a list without `$select=keyCredentials` (odata.ts project): whether a
    // property path returns the key is UNCONFIRMED.
    value = project({ [property]: value ?? [] }, undefined)[property];
    return json(200, { '@odata.context': context, value });
  }
  if (value === null || value === undefined) return noContent();
  if (edm.startsWith('Edm.')) return json(200, { '@odata.context': context, value });
  return json(200, { '@odata.context': context, ...structuredClone(value as object) });
}

/** The schema name of a structural property the emulator can return, or the error Graph (or the emulator) answers. */
function resolve(kind: Kind, segment: string, taken: Set<string>): string {
  const lower = segment.toLowerCase();
  if (taken.has(lower)) throw graphErrors.methodNotAllowed();
  const type = TYPES[kind];
  const property = ['id', 'deletedDateTime', ...Object.keys(type.properties ?? {})].find((p) => p.toLowerCase() === lower);
  if (property) {
    const edm = property === 'id' || property === 'deletedDateTime' ? 'Edm.String' : type.properties![property];
    if (edm.startsWith('Edm.Stream')) throw graphErrors.notImplemented(`the stream property '${property}' of ${kind}`);
    if (UNMODELLED[property]) throw graphErrors.notImplemented(UNMODELLED[property]);
    return property;
  }
  const navigation = Object.keys(type.navigation ?? {}).find((p) => p.toLowerCase() === lower);
  if (navigation) {
    throw graphErrors.notImplemented(`the navigation property '${navigation}' of ${kind}`);
  }
  const operations = [...Object.keys(ACTIONS[kind] ?? {}), ...Object.keys(ACTIONS.directoryObject ?? {}), ...FUNCTIONS];
  if (operations.some((o) => o.toLowerCase() === lower || `microsoft.graph.${o}`.toLowerCase() === lower)) {
    throw graphErrors.notImplemented(`GET /${kind === 'application' ? 'applications' : 'servicePrincipals'}/{id}/${segment}`);
  }
  if (segment.startsWith('$') || segment.includes('.')) throw graphErrors.notImplemented(`the path segment '${segment}' on ${kind}`);
  throw new GraphFault(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
}

function load(ctx: GraphCtx, kind: Kind): object {
  if (kind === 'application') return requireApplication(ctx, ctx.params.app, 'read');
  return servicePrincipalView(ctx.env.tenant, findServicePrincipal(ctx.env.tenant, ctx.params.sp));
}

function contextKey(ctx: GraphCtx, kind: Kind, entity: object): string {
  const key = parseKey(kind === 'application' ? ctx.params.app : ctx.params.sp);
  if (key.kind === 'id') return String((entity as { id?: string }).id);
  return `${key.property}%3D${key.value}`;
}
