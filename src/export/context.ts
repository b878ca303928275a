/**
 * What every part of the exporter looks things up in: the applications being exported (by appId, with
 * their keys) and every service principal read (by object id and by appId).
 */
import type { Application, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import type { ExportedApplication } from '../model/export.js';
import type { ExportInput } from './input.js';

export interface ExportContext {
  stack: string;
  read: ExportInput;
  /** Principal object id (lower-case) → userPrincipalName, for the users of per-user grants the reader resolved. */
  users: Map<string, string>;
  /** Lower-case appId → manifest key, for every exported application. */
  keys: Map<string, string>;
  /** Lower-case appId → exported application. */
  apps: Map<string, ExportedApplication>;
  /** Service principal object id (lower-case) → SP: exported apps' own and the others read. */
  spById: Map<string, ServicePrincipal>;
  /** Lower-case appId → SP. */
  spByAppId: Map<string, ServicePrincipal>;
  /** Display names of the exported applications: a tenant API with one of them must be named by appId. */
  exportedNames: Set<string>;
}

export const lower = (s: string | null | undefined): string => String(s ?? '').toLowerCase();

export function exportContext(stack: string, read: ExportInput, keys: Map<string, string>): ExportContext {
  const apps = new Map(read.applications.map((a) => [lower(a.app.appId), a]));
  const sps = [...read.servicePrincipals, ...read.applications.flatMap((a) => (a.servicePrincipal ? [a.servicePrincipal] : []))];
  return {
    stack,
    read,
    users: new Map(Object.entries(read.users ?? {}).flatMap(([id, upn]) => (upn ? [[lower(id), upn] as [string, string]] : []))),
    keys: new Map([...keys].map(([appId, key]) => [lower(appId), key])),
    apps,
    spById: new Map(sps.map((sp) => [lower(sp.id), sp])),
    spByAppId: new Map(sps.map((sp) => [lower(sp.appId), sp])),
    exportedNames: new Set(read.applications.map((a) => String(a.app.displayName ?? ''))),
  };
}

/**
 * Comment lines and warnings of one application. Everything the manifest cannot say goes to both: a
 * comment beside the application (so the file tells the reader) and a warning (so the command does).
 */
export class Notes {
  readonly header: string[] = [];
  readonly footer: string[] = [];
  readonly warnings: string[] = [];
  constructor(readonly key: string) {}

  /** Not exportable: a comment above the application and a warning naming it. */
  warn(text: string): void {
    this.header.push(`! ${text}`);
    this.warnings.push(`${this.key}: ${text}`);
  }
}

/** The exported application's own display of a live app, for messages. */
export function appLabel(app: Application): string {
  return `"${app.displayName ?? ''}" (appId ${app.appId})`;
}
