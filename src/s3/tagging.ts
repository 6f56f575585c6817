/**
 * S3 tagging on the wire: the `x-amz-tagging` header (a URL-encoded query string, `k1=v1&k2=v2`),
 * the `<Tagging><TagSet><Tag><Key/><Value/></Tag>…</TagSet></Tagging>` body of
 * Put/GetObjectTagging and Put/GetBucketTagging, and S3's limits on a tag set: at most 10 tags on
 * an object (50 on a bucket), keys of 1–128 and values of 0–256 Unicode characters, unique keys,
 * no `aws:` prefix (reserved for AWS's own tags). A limit broken is `InvalidTag` (400); a body
 * outside the schema is `MalformedXML`. Pure functions, no I/O.
 */
import type { Tag } from '../meta/types.ts';
import { S3Error } from './errors.ts';
import { hasNulCharacter } from './nul-character.ts';
import { element, S3_XML_NAMESPACE, XML_DECLARATION } from './xml.ts';

export const MAX_OBJECT_TAGS = 10;
export const MAX_BUCKET_TAGS = 50;
export const MAX_TAG_KEY_CHARS = 128;
export const MAX_TAG_VALUE_CHARS = 256;

/** Whose tag set is checked: the count limit and the wording differ. */
export type TagSetOwner = 'object' | 'bucket';

/** Unicode characters (code points), as S3 counts a tag's length; a UTF-16 surrogate pair is one. */
function characters(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

function invalidTag(message: string, tag?: Tag): S3Error {
  return new S3Error('InvalidTag', { message, extra: tag === undefined ? {} : { TagKey: tag.key, TagValue: tag.value } });
}

/** Returns `tags` when they are a valid tag set for an object or a bucket, else throws InvalidTag. */
export function validateTagSet(tags: readonly Tag[], owner: TagSetOwner): readonly Tag[] {
  const limit = owner === 'object' ? MAX_OBJECT_TAGS : MAX_BUCKET_TAGS;
  if (tags.length > limit) throw invalidTag(owner === 'object' ? `Object tags cannot be greater than ${limit}` : `Bucket tag count cannot be greater than ${limit}`);
  const seen = new Set<string>();
  for (const tag of tags) {
    const keyLength = characters(tag.key);
    if (keyLength < 1 || keyLength > MAX_TAG_KEY_CHARS) throw invalidTag('The TagKey you have provided is invalid', tag);
    if (characters(tag.value) > MAX_TAG_VALUE_CHARS) throw invalidTag('The TagValue you have provided is invalid', tag);
    if (hasNulCharacter(tag.key) || hasNulCharacter(tag.value)) throw invalidTag('Tags may not contain the character U+0000', tag);
    if (tag.key.toLowerCase().startsWith('aws:')) throw invalidTag('Your TagKey cannot be prefixed with aws:', tag);
    if (seen.has(tag.key)) throw invalidTag('Cannot provide multiple Tags with the same key', tag);
    seen.add(tag.key);
  }
  return tags;
}

/**
 * The tag set of an `x-amz-tagging` header (PutObject, CreateMultipartUpload, CopyObject with
 * `REPLACE`): URL query-string form, decoded as a form (`+` is a space, `%XX` UTF-8 bytes); a
 * parameter without `=` is a tag with an empty value; an empty header is no tags. Validated as
 * an object's tag set (InvalidTag).
 */
export function parseTaggingHeader(value: string): readonly Tag[] {
  const tags: Tag[] = [];
  for (const [key, tagValue] of new URLSearchParams(value.trim())) tags.push({ key, value: tagValue });
  return validateTagSet(tags, 'object');
}

/**
 * The tag set of a Put*Tagging body (`parseXmlBody`'s xml2js tree), in document order. MalformedXML
 * when it is not a `Tagging` with one `TagSet` of `Tag`s each with exactly one `Key` and one
 * `Value`; then validated for `owner` (InvalidTag).
 */
export function parseTaggingXml(tree: unknown, owner: TagSetOwner): readonly Tag[] {
  const malformed = () => new S3Error('MalformedXML');
  const root = isObject(tree) ? tree.Tagging : undefined;
  if (!isObject(root)) throw malformed();
  const tagSets = root.TagSet;
  if (!Array.isArray(tagSets) || tagSets.length !== 1) throw malformed();
  const tagSet = tagSets[0];
  if (tagSet === '') return validateTagSet([], owner); // <TagSet/>: no tags
  if (!isObject(tagSet) || Object.keys(tagSet).some((name) => name !== 'Tag')) throw malformed();
  const entries = Array.isArray(tagSet.Tag) ? tagSet.Tag : [];
  const tags = entries.map((entry: unknown): Tag => {
    if (!isObject(entry) || Object.keys(entry).some((name) => name !== 'Key' && name !== 'Value')) throw malformed();
    const key = onlyText(entry.Key);
    const value = onlyText(entry.Value);
    if (key === undefined || value === undefined) throw malformed();
    return { key, value };
  });
  return validateTagSet(tags, owner);
}

/** GetObjectTagging / GetBucketTagging: the tag set in the order it was stored. */
export function taggingXml(tags: readonly Tag[]): string {
  const body = tags.map((tag) => `<Tag>${element('Key', tag.key)}${element('Value', tag.value)}</Tag>`).join('');
  return `${XML_DECLARATION}\n<Tagging xmlns="${S3_XML_NAMESPACE}"><TagSet>${body}</TagSet></Tagging>`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The text of an element that occurs exactly once and has no attributes or children ('' when empty). */
function onlyText(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length !== 1) return undefined;
  return typeof value[0] === 'string' ? value[0] : undefined;
}
