/**
 * Every REST listener describes itself: `/openapi.json` (the merged OpenAPI
 * 3.1 document of its adapters) and `/docs`, a Swagger UI page served from
 * the installed `swagger-ui-dist` package (no CDN: the page works offline and
 * loads nothing from elsewhere). A capability route on the same path wins:
 * these are registered after the declared routes.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Hono } from 'hono';

const require = createRequire(import.meta.url);
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API documentation</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

// A file, not an inline script, so a strict Content-Security-Policy (script-src 'self') holds.
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, tryItOutEnabled: false });\n`;

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

let assetDir: string | undefined;
const assetCache = new Map<string, Buffer>();

async function asset(name: string): Promise<Buffer> {
  const cached = assetCache.get(name);
  if (cached) return cached;
  assetDir ??= dirname(require.resolve('swagger-ui-dist/package.json'));
  const content = await readFile(join(assetDir, name));
  assetCache.set(name, content);
  return content;
}

/** `document` is built on first request and kept (a reload builds a new app, so a new document). */
export function mountApiDocs(app: Hono, document: () => Record<string, unknown>): void {
  let json: string | undefined;
  app.get('/openapi.json', (c) => {
    json ??= JSON.stringify(document(), null, 2);
    return c.body(json, 200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
  });
  app.get('/docs', (c) => c.body(PAGE, 200, { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS }));
  app.get('/docs/init.js', (c) => c.body(INIT, 200, { 'content-type': 'text/javascript; charset=utf-8', ...SECURITY_HEADERS }));
  for (const [name, type] of Object.entries(ASSETS)) {
    app.get(`/docs/${name}`, async (c) => c.body(new Uint8Array(await asset(name)), 200, { 'content-type': type, 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' }));
  }
}
