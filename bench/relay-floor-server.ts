/**
 * The two Node servers of bench/relay-floor.ts, each run in its own process:
 * - `origin <dir>`: answers `GET /<file>` with one `Range: bytes=a-b` by one blocking `pread` into
 *   one buffer and one `res.end` — what a shard node does for a window (shard-read-handler.ts);
 * - `relay <origin url>`: forwards each GET's Range to the origin over an undici keep-alive pool
 *   and writes every piece of the answer to the client as it arrives — the least a gateway can do
 *   with bytes that live in another process: no metadata, no verification, no decryption.
 * Prints its port on stdout once listening.
 */
import http from 'node:http';
import { openSync, readSync } from 'node:fs';
import path from 'node:path';
import { Agent, request } from 'undici';

const [role, target] = process.argv.slice(2);
const RANGE = /^bytes=(\d+)-(\d+)$/;

function origin(dir: string): http.Server {
  const descriptors = new Map<string, number>();
  return http.createServer((req, res) => {
    const match = RANGE.exec(req.headers.range ?? '');
    const name = path.basename(req.url ?? '');
    if (!match || !name) return void res.writeHead(400).end();
    let fd = descriptors.get(name);
    if (fd === undefined) descriptors.set(name, (fd = openSync(path.join(dir, name), 'r')));
    const offset = Number(match[1]);
    const body = Buffer.allocUnsafe(Number(match[2]) - offset + 1);
    readSync(fd, body, 0, body.length, offset);
    res.writeHead(206, { 'content-length': body.length }).end(body);
  });
}

function relay(originUrl: string): http.Server {
  const dispatcher = new Agent({ connections: 64, keepAliveTimeout: 60_000 });
  return http.createServer((req, res) => {
    void (async () => {
      const answer = await request(new URL(req.url ?? '/', originUrl), { headers: { range: req.headers.range ?? '' }, dispatcher });
      res.writeHead(answer.statusCode, { 'content-length': String(answer.headers['content-length']) });
      for await (const piece of answer.body) res.write(piece);
      res.end();
    })().catch(() => res.destroy());
  });
}

if (role !== 'origin' && role !== 'relay') throw new Error('usage: relay-floor-server.ts origin <dir> | relay <origin url>');
const server = role === 'origin' ? origin(target!) : relay(target!);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as { port: number }).port}\n`));
