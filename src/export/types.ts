import type { ExportedApp } from './application.js';

export type { ExportInput, ExportUsers } from './input.js';

/** The exporter's answer: the manifest text, the applications in it, and what it could not say. */
export interface ExportManifestResult {
  text: string;
  stack: string;
  apps: Array<Pick<ExportedApp, 'key' | 'appId' | 'objectId' | 'displayName' | 'adoptable'>>;
  /** `<key>: what`, one per thing the manifest cannot say (each is also a comment in the text). */
  warnings: string[];
}
