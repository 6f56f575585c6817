import { taggingXml } from '../../src/s3/tagging.ts';
import { authorizeObject } from '../objects/authorized-object.ts';
import type { S3Request } from '../s3-request.ts';
import { xmlResponse } from './responses.ts';

/** GetObjectTagging: the object's tag set (an empty TagSet when it has none, as S3 answers). */
export async function getObjectTagging(request: S3Request): Promise<Response> {
  const version = await authorizeObject(request);
  return xmlResponse(taggingXml(version.tags));
}
