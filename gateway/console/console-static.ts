import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getCookie } from 'hono/cookie';
import type { Hono } from 'hono';
import type { ConsoleDeps, ConsoleEnv } from './console-context.ts';
import { SESSION_COOKIE } from './console-security.ts';

const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};
/** index.html carries this placeholder; each answer puts the session's CSRF token (or nothing) in it. */
const CSRF_PLACEHOLDER = '__CSRF_TOKEN__';

/**
 * The console's page and its assets: the files of `static/` (HTML, CSS, ES modules), read once at
 * start into memory and served by exact path — nothing a request names can reach another file.
 * `/` is index.html with the session's CSRF token in a `<meta>` when the cookie's session lives.
 */
export function registerConsoleStatic(app: Hono<ConsoleEnv>, deps: Pick<ConsoleDeps, 'sessions'>): void {
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const relative of listFiles(STATIC_DIR)) {
    const type = CONTENT_TYPES[path.extname(relative)];
    if (type) files.set(`/${relative.split(path.sep).join('/')}`, { body: readFileSync(path.join(STATIC_DIR, relative)), type });
  }
  const index = files.get('/index.html')!.body.toString('utf8');
  if (!index.includes(CSRF_PLACEHOLDER)) throw new Error('console index.html lacks its CSRF placeholder');

  app.get('/', (c) => {
    const session = deps.sessions.get(getCookie(c, SESSION_COOKIE));
    return c.body(index.replace(CSRF_PLACEHOLDER, session?.csrfToken ?? ''), 200, { 'content-type': CONTENT_TYPES['.html']! });
  });
  for (const [route, file] of files) {
    if (route === '/index.html') continue;
    app.get(route, (c) => c.body(new Uint8Array(file.body), 200, { 'content-type': file.type, 'cache-control': 'no-cache' }));
  }
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory()
    ? listFiles(path.join(dir, entry.name), path.join(prefix, entry.name))
    : [path.join(prefix, entry.name)]));
}
