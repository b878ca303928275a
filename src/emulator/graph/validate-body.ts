import { graphErrors, GraphFault } from '../errors.js';
import appTypes from '../data/graph-v1.0-app-types.json' with { type: 'json' };
import { GUID } from '../guid.js';

/**
 * Validates a JSON request body against the Microsoft Graph v1.0 type table extracted from the published
 * CSDL (src/emulator/data/graph-v1.0-app-types.json), the way Graph's OData reader does before any
 * business rule runs: unknown properties, wrong JSON kinds, bad primitive literals, nulls where the type
 * says `(not null)`, enum members, nested complex types and collections.
 *
 * Messages are the OData library's (reference/graph-api.md §3.5). The directory's own code for an
 * unknown property is UNCONFIRMED; `RequestBodyRead` is what the OData reader answers on other workloads
 * (msgraph-sdk-python#440). Generic on purpose: the service principal routes use it too.
 */

interface TypeDef {
  kind: string;
  base?: string;
  abstract?: boolean;
  properties?: Record<string, string>;
  navigation?: Record<string, string>;
}

const TYPES = appTypes.types as Record<string, TypeDef>;
const ENUMS = appTypes.enums as Record<string, string[]>;
const ACTIONS = appTypes.boundActions as Record<string, Record<string, { parameters: Record<string, string> }>>;

/** A parsed type reference: `appRole[] (not null)`, `Edm.Guid`, `Collection(Edm.String)`. */
export interface TypeRef {
  name: string;
  collection: boolean;
  nullable: boolean;
}

export function parseTypeRef(raw: string): TypeRef {
  const nullable = !raw.includes('(not null)');
  let name = raw.replace('(not null)', '').trim();
  let collection = false;
  const coll = /^Collection\((.+)\)$/.exec(name);
  if (coll) {
    name = coll[1];
    collection = true;
  } else if (name.endsWith('[]')) {
    name = name.slice(0, -2);
    collection = true;
  }
  return { name, collection, nullable };
}

/** Structural properties of a type including its base types (entity → directoryObject → application). */
export function typeProperties(typeName: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (let t: string | undefined = typeName; t; t = TYPES[t]?.base) {
    const def = TYPES[t];
    if (!def) throw new Error(`no v1.0 type ${t}`);
    for (const [k, v] of Object.entries(def.properties ?? {})) out[k] ??= v;
  }
  return out;
}

function navigationProperties(typeName: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (let t: string | undefined = typeName; t; t = TYPES[t]?.base) Object.assign(out, TYPES[t]?.navigation ?? {});
  return out;
}

function isDerivedFrom(candidate: string, base: string): boolean {
  for (let t: string | undefined = candidate; t; t = TYPES[t]?.base) if (t === base) return true;
  return false;
}

function odataName(ref: TypeRef): string {
  const inner = ref.name.startsWith('Edm.') ? ref.name : `microsoft.graph.${ref.name}`;
  return ref.collection ? `Collection(${inner})` : inner;
}

const bodyRead = (message: string): GraphFault => graphErrors.bodyRead(message);
const unexpectedNode = (found: string, expected: string) =>
  bodyRead(`An unexpected '${found}' node was found when reading from the JSON reader. A '${expected}' node was expected.`);
const jsonNode = (v: unknown): string => (Array.isArray(v) ? 'StartArray' : v !== null && typeof v === 'object' ? 'StartObject' : 'PrimitiveValue');

/** Validate an entity or complex-type body (`typeName` without the `microsoft.graph.` prefix). Throws GraphFault 400. */
export function validateBody(typeName: string, body: unknown): void {
  if (!TYPES[typeName]) throw new Error(`validateBody: no v1.0 type ${typeName}`);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw unexpectedNode(jsonNode(body), 'StartObject');
  validateObject(typeName, body as Record<string, unknown>);
}

/**
 * Validate the body of a bound action such as `application/addPassword` against its parameters
 * (OData: an unknown parameter is a 400, https://learn.microsoft.com/graph/api/application-addpassword).
 */
export function validateActionBody(bindingType: string, action: string, body: unknown): void {
  const def = ACTIONS[bindingType]?.[action];
  if (!def) throw new Error(`validateActionBody: no action ${bindingType}/${action}`);
  if (body === undefined) return;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw unexpectedNode(jsonNode(body), 'StartObject');
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (name.startsWith('@') || name.includes('@odata.')) continue;
    const raw = def.parameters[name];
    if (!raw) throw bodyRead(`The parameter '${name}' in the request payload is not a valid parameter for the operation '${action}'.`);
    validateValue(name, parseTypeRef(raw), value);
  }
}

function validateObject(declaredType: string, obj: Record<string, unknown>): void {
  const typeName = resolveOdataType(declaredType, obj['@odata.type']);
  const props = typeProperties(typeName);
  const nav = navigationProperties(typeName);
  for (const [key, value] of Object.entries(obj)) {
    if (key.startsWith('@')) continue; // instance annotations (@odata.type, @odata.context, ...)
    const at = key.indexOf('@');
    if (at > 0) {
      // Property annotations: `owners@odata.bind` binds a navigation property; anything else is metadata.
      const prop = key.slice(0, at);
      if (key.endsWith('@odata.bind')) {
        if (!nav[prop]) throw unknownProperty(prop, typeName);
        const refs = Array.isArray(value) ? value : [value];
        if (!refs.every((r) => typeof r === 'string')) throw unexpectedNode(jsonNode(value), 'PrimitiveValue');
      }
      continue;
    }
    const raw = props[key];
    if (!raw) {
      if (nav[key]) throw graphErrors.badRequest(`Deep insert of the navigation property '${key}' is not supported; use '${key}@odata.bind'.`);
      throw unknownProperty(key, typeName);
    }
    validateValue(key, parseTypeRef(raw), value);
  }
}

function unknownProperty(name: string, typeName: string): GraphFault {
  return bodyRead(
    `The property '${name}' does not exist on type 'microsoft.graph.${typeName}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
  );
}

/** `@odata.type` may name the declared type or a type derived from it; abstract types need a concrete one. */
function resolveOdataType(declared: string, annotation: unknown): string {
  if (annotation === undefined) return declared;
  if (typeof annotation !== 'string') throw unexpectedNode(jsonNode(annotation), 'PrimitiveValue');
  const name = annotation.replace(/^#/, '').replace(/^microsoft\.graph\./, '');
  if (!TYPES[name])
    throw bodyRead(
      `A type named '${annotation.replace(/^#/, '')}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.`,
    );
  if (!isDerivedFrom(name, declared)) {
    throw bodyRead(
      `A resource with type '${annotation.replace(/^#/, '')}' was found, but it is not assignable to the expected type 'microsoft.graph.${declared}'.`,
    );
  }
  return name;
}

function validateValue(prop: string, ref: TypeRef, value: unknown): void {
  if (value === null) {
    if (!ref.nullable) {
      const t = `${odataName(ref)}[Nullable=False]`;
      throw bodyRead(
        `A null value was found for the property named '${prop}', which has the expected type '${t}'. The expected type '${t}' does not allow null values.`,
      );
    }
    return;
  }
  if (ref.collection) {
    if (!Array.isArray(value)) throw unexpectedNode(jsonNode(value), 'StartArray');
    for (const item of value) {
      if (item === null) {
        // Items of directory collections are never null (e.g. identifierUris, appRoles).
        throw bodyRead(
          `A null value was found for the property named '${prop}', which has the expected type '${odataName(ref)}[Nullable=False]'. The expected type '${odataName(ref)}[Nullable=False]' does not allow null values.`,
        );
      }
      validateValue(prop, { name: ref.name, collection: false, nullable: false }, item);
    }
    return;
  }
  if (ref.name.startsWith('Edm.')) return validatePrimitive(ref.name, value);
  if (ENUMS[ref.name]) return validateEnum(ref.name, value);
  const def = TYPES[ref.name];
  if (!def) throw new Error(`validateBody: no v1.0 type ${ref.name}`);
  if (typeof value !== 'object' || Array.isArray(value)) throw unexpectedNode(jsonNode(value), 'StartObject');
  validateObject(ref.name, value as Record<string, unknown>);
}

/** OData's DateTimeOffset literal: an offset (Z or ±hh:mm) is required. */
const DATE_TIME_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isGuid(s: unknown): boolean {
  return typeof s === 'string' && GUID.test(s);
}

function validatePrimitive(edm: string, value: unknown): void {
  const cannotConvert = () => bodyRead(`Cannot convert a primitive value to the expected type '${edm}'. See the inner exception for more details.`);
  if (typeof value === 'object') throw unexpectedNode(jsonNode(value), 'PrimitiveValue');
  switch (edm) {
    case 'Edm.String':
      if (typeof value !== 'string') throw cannotConvert();
      return;
    case 'Edm.Boolean':
      if (typeof value !== 'boolean') throw cannotConvert();
      return;
    case 'Edm.Int32':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) throw cannotConvert();
      return;
    case 'Edm.Guid':
      if (!isGuid(value)) throw cannotConvert();
      return;
    case 'Edm.DateTimeOffset':
      if (typeof value !== 'string' || !DATE_TIME_OFFSET.test(value) || Number.isNaN(Date.parse(value))) throw cannotConvert();
      return;
    case 'Edm.Binary':
      if (typeof value !== 'string' || !BASE64.test(value)) throw cannotConvert();
      return;
    case 'Edm.Stream':
      throw graphErrors.badRequest('Stream properties cannot be set in a JSON payload; use PUT on the property instead.');
    default:
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw cannotConvert();
  }
}

/** Enum values are member names; flags enums may list several, comma-separated. */
function validateEnum(enumName: string, value: unknown): void {
  const members = ENUMS[enumName];
  const ok = typeof value === 'string' && value.split(',').every((m) => members.some((x) => x.toLowerCase() === m.trim().toLowerCase()));
  if (!ok) throw bodyRead(`The string '${String(value)}' is not a valid enumeration type constant.`);
}
