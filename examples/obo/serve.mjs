#!/usr/bin/env node
/**
 * Run one of the On-Behalf-Of sample's APIs from the config file tenantform wrote:
 *
 *   node examples/obo/serve.mjs downstream --config out/DownstreamAPI/config.json [--port 7000]
 *   node examples/obo/serve.mjs middletier --config out/MiddletierAPI/config.json [--port 5000] [--downstream http://localhost:7000/api]
 *
 * Against the local tenant add `--authority-host <authorityHost>` (the emulator's, e.g. https://127.0.0.1:47443; the
 * config names login.microsoftonline.com) and `--ca <caFile>` (or start node with NODE_EXTRA_CA_CERTS=<caFile>).
 * `--port 0` picks a free port; the first line printed is `listening on http://127.0.0.1:<port>`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { start as startDownstream } from './downstream-api.mjs';
import { start as startMiddleTier } from './middletier-api.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    config: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    'authority-host': { type: 'string' },
    ca: { type: 'string' },
    downstream: { type: 'string' },
  },
});
const which = positionals[0];
if ((which !== 'downstream' && which !== 'middletier') || !values.config) {
  console.error(
    'usage: node examples/obo/serve.mjs downstream|middletier --config <config.json> [--port N] [--authority-host URL] [--ca FILE] [--downstream URL]',
  );
  process.exit(2);
}
const options = {
  config: JSON.parse(readFileSync(values.config, 'utf8')),
  ca: values.ca ? readFileSync(values.ca, 'utf8') : undefined,
  host: values.host,
  authorityHost: values['authority-host'] ?? process.env.AUTHORITY_HOST,
  log: (line) => console.log(line),
  ...(values.port !== undefined || process.env.PORT ? { port: Number(values.port ?? process.env.PORT) } : {}),
};
const api =
  which === 'downstream'
    ? await startDownstream(options)
    : await startMiddleTier({ ...options, ...(values.downstream ? { downstreamUrl: values.downstream } : {}) });
console.log(`listening on ${api.url} (${which} API, authority ${options.authorityHost ?? `https://${options.config.metadata?.authority}`})`);
const stop = () => api.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
