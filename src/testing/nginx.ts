/**
 * Debian's nginx on 127.0.0.1, for benches and tests: serving one directory (the physical-limit
 * baseline of the range-read benchmark: sendfile from the page cache, keep-alive, no access log),
 * or any `server`/`upstream` configuration (the load balancer in front of several gateways).
 * Started in the foreground as a child process, stopped with SIGQUIT (graceful) then SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from './free-port.ts';

export interface RunningNginx {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
  output(): string;
}

/** The nginx binary: on PATH, or where Debian puts it (/usr/sbin is not on every user's PATH). */
export function findNginx(): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin']) {
    const candidate = path.join(dir, 'nginx');
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}


/** Serves `documentRoot` (world-readable: workers may run as nobody) with its own prefix dir `workDir`. */
export async function startNginx(binary: string, workDir: string, documentRoot: string): Promise<RunningNginx> {
  await chmod(documentRoot, 0o755);
  return startNginxWith(binary, workDir, (port) => `
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 120s;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port};
    root ${documentRoot};
    location / { }
  }`);
}

/**
 * Runs nginx with `httpBlock(port)` inside its `http { }` (a free loopback port to listen on); the
 * prefix dir `workDir` holds the pid, error log and temp paths. Resolves once the port answers.
 */
export async function startNginxWith(binary: string, workDir: string, httpBlock: (port: number) => string): Promise<RunningNginx> {
  await mkdir(path.join(workDir, 'temp'), { recursive: true });
  const port = await freePort();
  const temp = (name: string) => `${name}_temp_path ${path.join(workDir, 'temp', name)};`;
  const config = `
daemon off;
worker_processes auto;
pid ${path.join(workDir, 'nginx.pid')};
error_log ${path.join(workDir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  ${temp('client_body')} ${temp('proxy')} ${temp('fastcgi')} ${temp('uwsgi')} ${temp('scgi')}
${httpBlock(port)}
}
`;
  const configFile = path.join(workDir, 'nginx.conf');
  await writeFile(configFile, config);
  const child = spawn(binary, ['-p', workDir, '-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => { output += text; });
  child.stderr!.setEncoding('utf8').on('data', (text: string) => { output += text; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${output}`);
    const ready = await fetch(`${url}/`, { method: 'HEAD' }).then(() => true, () => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`nginx did not start: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGQUIT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
