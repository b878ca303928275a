import type { ExportRead } from '../model/export.js';

/** The users behind per-user delegated grants (model/export.ts ExportRead.users); absent: none read, so every per-user grant stays a note. */
export type ExportUsers = NonNullable<ExportRead['users']>;

/** What the exporter reads. */
export type ExportInput = ExportRead;
