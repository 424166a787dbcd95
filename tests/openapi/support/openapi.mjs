// docs/openapi.yaml read as data: the operations it documents, and the
// schema of one documented answer, for the contract and response tests.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const kDocument = process.env.ORDERLY_OPENAPI ??
  join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'openapi.yaml');
const kMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export function loadDocument(path = kDocument) {
  return parse(readFileSync(path, 'utf8'));
}

// "METHOD /path" → where it is served: listener `public` or `ops`, process
// `platform` (serve and the service roles) or `gateway`.
export function documentedRoutes(document) {
  const routes = new Map();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of kMethods) {
      if (!item[method]) continue;
      routes.set(`${method.toUpperCase()} ${path}`, {
        listener: item['x-orderly-listener'] ?? 'public',
        process: item['x-orderly-process'] ?? 'platform',
      });
    }
  }
  return routes;
}

// The routes a listener registered, from its `orderly_http_route_info` series.
export function registeredRoutes(metricsText) {
  const routes = new Set();
  for (const line of metricsText.split('\n')) {
    const match = /^orderly_http_route_info\{method="([A-Z]+)",route="([^"]+)"\} 1$/.exec(line);
    if (match) routes.add(`${match[1]} ${match[2]}`);
  }
  return routes;
}

// What one side has and the other lacks, sorted so a failure reads the same every time.
export function compareRoutes(documented, registered) {
  return {
    undocumented: [...registered].filter((route) => !documented.has(route)).sort(),
    unserved: [...documented].filter((route) => !registered.has(route)).sort(),
  };
}

// The schema of the answer `status` of `method path` in `mediaType`, with
// `#/components/...` references left for the validator (which gets the
// whole document), or undefined when the document says nothing about it.
export function responseSchema(document, method, path, status, mediaType) {
  const operation = document.paths?.[path]?.[method.toLowerCase()];
  if (!operation) return undefined;
  let response = operation.responses?.[String(status)];
  if (response?.$ref) response = resolve(document, response.$ref);
  if (!response) return undefined;
  if (!response.content) return { none: true };
  const content = response.content[mediaType];
  return content ? { schema: content.schema } : { wrongMediaType: Object.keys(response.content) };
}

function resolve(document, ref) {
  return ref.replace(/^#\//, '').split('/').reduce((node, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], document);
}
