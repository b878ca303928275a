// Types of server.mjs, for the TypeScript tests that start it.

export interface StartOptions {
  /** The authConfig.js tenantform wrote (out/Client/App/authConfig.js). */
  authConfig: string;
  /** The folder of index.html and app.js (default this file's: pass it when this module is bundled elsewhere). */
  root?: string;
  /** Default 3000; 0 = any free port. */
  port?: number;
  /** Default 127.0.0.1. The page is opened as http://localhost:<port>/ either way. */
  host?: string;
  /** The emulator's authorityHost (e.g. https://127.0.0.1:47443): replaces the origin of msalConfig.auth.authority. */
  authorityHost?: string;
  /** The middle tier's URL instead of protectedResources.middleTierApi.endpoint. */
  middleTierUrl?: string;
  log?: (line: string) => void;
}

export interface RunningSpa {
  /** http://localhost:<port>/ — the origin to open, and the redirect URI the SPA uses. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export function start(options: StartOptions): Promise<RunningSpa>;
export function msalBrowserPath(): string;
