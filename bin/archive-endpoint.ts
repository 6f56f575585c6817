/**
 * Endpoint and credentials of the archive commands that talk to S3: flags first, then shardgate's
 * and the standard AWS environment variables.
 */
import { ConfigError, type SettingSpecs } from '../src/config/flags.ts';
import type { S3Endpoint } from '../src/archive/s3-object-client.ts';

export const ENDPOINT_SPECS = {
  endpoint: { flag: 'endpoint', env: 'SHARDGATE_ENDPOINT', kind: 'string', description: 'S3 endpoint (also AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL)', defaultText: 'http://127.0.0.1:9000' },
  accessKey: { flag: 'access-key', env: 'AWS_ACCESS_KEY_ID', kind: 'string', description: 'access key id' },
  secretKey: { flag: 'secret-key', env: 'AWS_SECRET_ACCESS_KEY', kind: 'string', description: 'secret access key' },
  region: { flag: 'region', env: 'AWS_REGION', kind: 'string', description: 'region to sign for (also AWS_DEFAULT_REGION)', defaultText: 'us-east-1' },
} as const satisfies SettingSpecs;

export function loadEndpoint(values: Readonly<Record<string, string | undefined>>, env: NodeJS.ProcessEnv): S3Endpoint {
  const url = values.endpoint ?? nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL) ?? 'http://127.0.0.1:9000';
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new ConfigError(`--endpoint must be an http(s) URL, got "${url}"`);
  }
  const accessKeyId = values.accessKey;
  const secretAccessKey = values.secretKey;
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigError('no credentials: pass --access-key and --secret-key, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  }
  const region = values.region ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? 'us-east-1';
  return { url, region, accessKeyId, secretAccessKey };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
