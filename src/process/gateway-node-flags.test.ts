import { readFileSync } from 'node:fs';
import test from 'ava';
import { parse } from 'yaml';
import { GATEWAY_ENV, GATEWAY_NODE_FLAGS } from './gateway-node-flags.ts';

const ROOT = new URL('../../', import.meta.url);

test('npm start runs the gateway with the gateway\'s node flags and environment', (t) => {
  const { scripts } = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { scripts: Record<string, string> };
  const env = Object.entries(GATEWAY_ENV).map(([name, value]) => `${name}=${value}`).join(' ');
  t.is(scripts.start, `${env} tsx ${GATEWAY_NODE_FLAGS.join(' ')} bin/cli.ts dev`);
});

test('every gateway service of docker-compose.yml sets the gateway\'s node flags (NODE_OPTIONS) and environment', (t) => {
  const compose = parse(readFileSync(new URL('docker-compose.yml', ROOT), 'utf8'), { merge: true }) as {
    services: Record<string, { command?: string[]; environment?: Record<string, string> }>;
  };
  const gateways = Object.entries(compose.services).filter(([, service]) => service.command?.[0] === 'gateway');
  t.deepEqual(gateways.map(([name]) => name), ['gateway', 'gateway-2']);
  for (const [name, service] of gateways) {
    t.is(service.environment?.NODE_OPTIONS, GATEWAY_NODE_FLAGS.join(' '), name);
    for (const [variable, value] of Object.entries(GATEWAY_ENV)) t.is(service.environment?.[variable], value, `${name} ${variable}`);
  }
});

test('the flags are ones Node accepts in NODE_OPTIONS', (t) => {
  // V8 options allowed there are a short list; a flag outside it would stop the container at start.
  for (const flag of GATEWAY_NODE_FLAGS) t.true(process.allowedNodeEnvironmentFlags.has(flag.split('=')[0]!), flag);
});
