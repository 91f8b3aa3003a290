/**
 * Small static files (a dashboard page, its script, a vendored library) served from memory.
 * Files are read once at start, so a missing file fails the start with its path instead of
 * a 404 later, and serving costs no disk I/O.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { methodNotAllowed } from './http.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

interface StaticFile {
  body: Buffer;
  type: string;
}

/** URL path → file, loaded. */
export interface StaticFiles {
  /** URL paths served. */
  readonly paths: string[];
  /**
   * Answers GET/HEAD for a known path and returns true; returns false for other paths
   * (the caller routes them). Other methods on a known path get 405.
   */
  handle(req: IncomingMessage, res: ServerResponse, path: string): boolean;
}

/**
 * Loads every file now.
 * @param files URL path (e.g. `/app.js`) → absolute file path
 * @throws Error naming the file when one cannot be read
 */
export function loadStaticFiles(files: Record<string, string>): StaticFiles {
  const table = new Map<string, StaticFile>();
  for (const [urlPath, file] of Object.entries(files)) {
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch (err) {
      throw new Error(`cannot read static file ${file} (served at ${urlPath}): ${(err as Error).message}. Run \`npm ci\` if it belongs to a package.`, { cause: err });
    }
    table.set(urlPath, { body, type: TYPES[extname(file)] ?? 'application/octet-stream' });
  }
  return {
    paths: [...table.keys()],
    handle(req, res, path) {
      const file = table.get(path);
      if (file === undefined) return false;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        methodNotAllowed(res, req.method, path, ['GET', 'HEAD']);
        return true;
      }
      // no-cache: revalidate each load, so a changed page is never served stale while developing.
      res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length, 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : file.body);
      return true;
    },
  };
}
