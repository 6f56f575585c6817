import { document, element } from './xml.ts';

export interface PostResponseXmlInput {
  /** The object's URL. */
  readonly location: string;
  readonly bucket: string;
  readonly key: string;
  /** Quoted, as in the ETag header. */
  readonly etag: string;
}

/** The body of a POST Object answered with `success_action_status` 201. */
export function postResponseXml(input: PostResponseXmlInput): string {
  return document(`<PostResponse>${element('Location', input.location)}${element('Bucket', input.bucket)}${element('Key', input.key)}${element('ETag', input.etag)}</PostResponse>`);
}
