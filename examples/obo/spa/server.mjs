#!/usr/bin/env node
/**
 * A tiny static server for the sample's single-page app (no bundler; its command line is serve.mjs): index.html,
 * app.js, the authConfig.js tenantform wrote (out/Client/App/authConfig.js), @azure/msal-browser's browser build, and
 * local.js — the overrides for the local tenant (its authority host, the middle tier's URL, this server's redirect URI), empty against a real tenant.
 *
 * It listens on 127.0.0.1 and prints `listening on http://localhost:<port>/`: open that origin (the SPA's registered
 * redirect URI is http://localhost:3000/; Entra and the emulator ignore the port of a localhost redirect URI, and
 * http://localhost is a secure context, which msal-browser's crypto needs).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** lib/msal-browser.min.js of the installed @azure/msal-browser (a UMD build: `window.msal`). */
export function msalBrowserPath() {
  const pkg = createRequire(import.meta.url).resolve('@azure/msal-browser/package.json');
  return join(dirname(pkg), 'lib', 'msal-browser.min.js');
}

/**
 * @param {{ authConfig: string, root?: string, port?: number, host?: string, authorityHost?: string, middleTierUrl?: string,
 *   log?: (line: string) => void }} options
 */
export async function start(options) {
  const host = options.host ?? '127.0.0.1';
  const root = options.root ?? here;
  const msalJs = readFileSync(msalBrowserPath());
  let origin = '';
  const files = {
    '/': () => ({ type: 'text/html; charset=utf-8', body: readFileSync(join(root, 'index.html')) }),
    '/index.html': () => files['/'](),
    '/app.js': () => ({ type: 'text/javascript; charset=utf-8', body: readFileSync(join(root, 'app.js')) }),
    '/authConfig.js': () => ({ type: 'text/javascript; charset=utf-8', body: readFileSync(options.authConfig) }),
    '/msal-browser.min.js': () => ({ type: 'text/javascript; charset=utf-8', body: msalJs }),
    '/local.js': () => ({
      type: 'text/javascript; charset=utf-8',
      body: `// Overrides for the local tenant (empty against a real one).\nwindow.tenantformLocal = ${JSON.stringify({
        ...(options.authorityHost ? { authorityHost: options.authorityHost.replace(/\/+$/, '') } : {}),
        ...(options.middleTierUrl ? { middleTierEndpoint: options.middleTierUrl } : {}),
        redirectUri: `${origin}/`,
      })};\n`,
    }),
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const file = req.method === 'GET' || req.method === 'HEAD' ? files[path] : undefined;
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    try {
      const { type, body } = file();
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${e instanceof Error ? e.message : String(e)}\n`);
    }
    options.log?.(`${req.method} ${path}`);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, host, () => resolve(undefined));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  origin = `http://localhost:${port}`;
  return {
    url: `${origin}/`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
