#!/usr/bin/env node
/**
 * Serve the sample's single-page app (server.mjs) from the authConfig.js tenantform wrote:
 *
 *   node examples/obo/spa/serve.mjs --auth-config out/Client/App/authConfig.js [--port 3000] \
 *     [--authority-host https://127.0.0.1:47443] [--middle-tier http://localhost:5000/api]
 *
 * then open the printed http://localhost:<port>/.
 */
import { parseArgs } from 'node:util';
import { start } from './server.mjs';

const { values } = parseArgs({
  options: {
    'auth-config': { type: 'string', default: 'out/Client/App/authConfig.js' },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    'authority-host': { type: 'string', default: process.env.AUTHORITY_HOST },
    'middle-tier': { type: 'string' },
  },
});
const spa = await start({
  authConfig: values['auth-config'],
  port: Number(values.port),
  authorityHost: values['authority-host'],
  middleTierUrl: values['middle-tier'],
});
console.log(`listening on ${spa.url} (the SPA; open it in a browser)`);
const stop = () => spa.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
