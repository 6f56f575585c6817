import { S3Error } from '../../src/s3/errors.ts';

/**
 * A page size parameter (`max-parts`, `max-uploads`): a non-negative integer, 1000 when absent,
 * larger values capped at 1000 as S3 does; InvalidArgument otherwise.
 */
export function parsePageSize(query: URLSearchParams, name: string): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return 1000;
  if (!/^\d{1,10}$/.test(raw)) {
    throw new S3Error('InvalidArgument', {
      message: `Provided ${name} not an integer or within integer range`, extra: { ArgumentName: name, ArgumentValue: raw },
    });
  }
  return Math.min(1000, Number(raw));
}

/** `part-number-marker`: parts after this number (0 when absent). */
export function parsePartNumberMarker(query: URLSearchParams): number {
  const raw = query.get('part-number-marker');
  if (raw === null || raw === '') return 0;
  if (!/^\d{1,5}$/.test(raw)) {
    throw new S3Error('InvalidArgument', {
      message: 'Provided part-number-marker not an integer or within integer range',
      extra: { ArgumentName: 'part-number-marker', ArgumentValue: raw },
    });
  }
  return Number(raw);
}
