/**
 * PutBucketLifecycleConfiguration's body → validated rules, and the rules → the body of
 * GetBucketLifecycleConfiguration. Pure: takes `parseXmlBody`'s xml2js tree.
 *
 * S3's answers, which these follow: a document not of the schema (unknown element, a rule with
 * both or neither of Filter and Prefix, a Filter with two predicates, a Status other than
 * Enabled/Disabled, a non-integer Days, an unreadable Date, no rule, more than 1000) → MalformedXML;
 * a value the schema allows but S3 refuses (Days or DaysAfterInitiation 0, a Date not at midnight
 * UTC, both Days and Date, an ID over 255 characters or used twice, sizes that leave no object)
 * → InvalidArgument; a rule without an action, or AbortIncompleteMultipartUpload with a tag or
 * size filter (an upload has neither) → InvalidRequest. The actions shardgate cannot apply
 * (transitions: there is one storage class; noncurrent versions and ExpiredObjectDeleteMarker:
 * there is no versioning) → NotImplemented, never silently stored.
 */
import { S3Error } from '../s3/errors.ts';
import { childOf, children, only, text, type Node as XmlNode } from '../s3/xml-bucket-config.ts';
import { element, S3_XML_NAMESPACE, XML_DECLARATION } from '../s3/xml.ts';
import type { LifecycleExpiration, LifecycleFilter, LifecycleRule, ObjectTag } from './lifecycle-types.ts';

/** S3's limits on one configuration. */
export const MAX_LIFECYCLE_RULES = 1000;
export const MAX_RULE_ID_CHARS = 255;
const DAY_MS = 86_400_000;

const RULE_ELEMENTS = new Set([
  'ID', 'Status', 'Filter', 'Prefix', 'Expiration', 'AbortIncompleteMultipartUpload',
  'Transition', 'NoncurrentVersionExpiration', 'NoncurrentVersionTransition',
]);
const NOT_IMPLEMENTED_ACTIONS = ['Transition', 'NoncurrentVersionExpiration', 'NoncurrentVersionTransition'];
const FILTER_ELEMENTS = ['Prefix', 'Tag', 'And', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan'];

const malformed = (message?: string) => new S3Error('MalformedXML', message === undefined ? {} : { message });
const invalid = (message: string) => new S3Error('InvalidArgument', { message });

export interface LifecycleParseOptions {
  /** An ID for a rule the client gave none (S3 generates one). */
  readonly newRuleId: () => string;
}

/** The rules of a `<LifecycleConfiguration>` document, validated as S3 does (see the file comment). */
export function parseLifecycleConfiguration(parsed: unknown, options: LifecycleParseOptions): LifecycleRule[] {
  const root = childOf(parsed, 'LifecycleConfiguration');
  if (typeof root !== 'object' || root === null) throw malformed();
  if (Object.keys(root).some((name) => name !== '$' && name !== 'Rule')) throw malformed();
  const ruleNodes = children(root, 'Rule');
  if (ruleNodes.length === 0 || ruleNodes.length > MAX_LIFECYCLE_RULES) throw malformed();
  const rules = ruleNodes.map((node) => parseRule(node, options));
  const ids = new Set<string>();
  for (const rule of rules) {
    if (ids.has(rule.id)) throw invalid('Rule ID must be unique. Found same ID for more than one rule');
    ids.add(rule.id);
  }
  return rules;
}

function parseRule(node: XmlNode, options: LifecycleParseOptions): LifecycleRule {
  if (typeof node !== 'object' || node === null) throw malformed();
  const names = Object.keys(node);
  if (names.some((name) => !RULE_ELEMENTS.has(name))) throw malformed();
  if (names.some((name) => children(node, name).length !== 1)) throw malformed();
  const id = optionalText(node, 'ID') || options.newRuleId();
  if (id.length > MAX_RULE_ID_CHARS) throw invalid('ID length should not exceed allowed limit of 255');
  const status = optionalText(node, 'Status');
  if (status !== 'Enabled' && status !== 'Disabled') throw malformed();
  const hasFilter = names.includes('Filter');
  const hasPrefix = names.includes('Prefix');
  if (hasFilter === hasPrefix) throw malformed();
  const filter: LifecycleFilter = hasFilter
    ? parseFilter(only(node, 'Filter', malformed))
    : { kind: 'legacy-prefix', prefix: optionalText(node, 'Prefix') ?? '' };
  const notImplemented = NOT_IMPLEMENTED_ACTIONS.find((name) => names.includes(name));
  if (notImplemented !== undefined) {
    throw new S3Error('NotImplemented', { message: `shardgate does not implement the lifecycle action ${notImplemented}.` });
  }
  const expiration = names.includes('Expiration') ? parseExpiration(only(node, 'Expiration', malformed)) : null;
  const abortIncompleteUploadDays = names.includes('AbortIncompleteMultipartUpload')
    ? parseAbortDays(only(node, 'AbortIncompleteMultipartUpload', malformed))
    : null;
  if (expiration === null && abortIncompleteUploadDays === null) {
    throw new S3Error('InvalidRequest', { message: 'At least one action needs to be specified in a rule' });
  }
  if (abortIncompleteUploadDays !== null && filterLooksBeyondKeys(filter)) {
    throw new S3Error('InvalidRequest', { message: 'AbortIncompleteMultipartUpload cannot be specified with Tags or object size filters.' });
  }
  return { id, enabled: status === 'Enabled', filter, expiration, abortIncompleteUploadDays };
}

function filterLooksBeyondKeys(filter: LifecycleFilter): boolean {
  switch (filter.kind) {
    case 'tag': case 'size-greater-than': case 'size-less-than': return true;
    case 'and': return filter.tags.length > 0 || filter.sizeGreaterThan !== undefined || filter.sizeLessThan !== undefined;
    default: return false;
  }
}

function parseFilter(node: XmlNode): LifecycleFilter {
  if (node === '') return { kind: 'all' };
  if (typeof node !== 'object' || node === null) throw malformed();
  const names = Object.keys(node);
  if (names.some((name) => !FILTER_ELEMENTS.includes(name))) throw malformed();
  if (names.length === 0) return { kind: 'all' };
  if (names.length > 1 || children(node, names[0]!).length !== 1) throw malformed();
  const value = only(node, names[0]!, malformed);
  switch (names[0]) {
    case 'Prefix': return { kind: 'prefix', prefix: textOrEmpty(value) };
    case 'Tag': return { kind: 'tag', tag: parseTag(value) };
    case 'ObjectSizeGreaterThan': return { kind: 'size-greater-than', bytes: parseSize(value, 0) };
    case 'ObjectSizeLessThan': return { kind: 'size-less-than', bytes: parseSize(value, 1) };
    default: return parseAnd(value);
  }
}

function parseAnd(node: XmlNode): LifecycleFilter {
  if (typeof node !== 'object' || node === null) throw malformed();
  const names = Object.keys(node);
  if (names.some((name) => !['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan'].includes(name))) throw malformed();
  if (names.some((name) => name !== 'Tag' && children(node, name).length !== 1)) throw malformed();
  const tags = children(node, 'Tag').map(parseTag);
  const keys = new Set(tags.map((tag) => tag.key));
  if (keys.size !== tags.length) throw invalid('Duplicate Tag Keys are not allowed.');
  const prefix = names.includes('Prefix') ? textOrEmpty(only(node, 'Prefix', malformed)) : undefined;
  const sizeGreaterThan = names.includes('ObjectSizeGreaterThan') ? parseSize(only(node, 'ObjectSizeGreaterThan', malformed), 0) : undefined;
  const sizeLessThan = names.includes('ObjectSizeLessThan') ? parseSize(only(node, 'ObjectSizeLessThan', malformed), 1) : undefined;
  const predicates = (prefix === undefined ? 0 : 1) + tags.length + (sizeGreaterThan === undefined ? 0 : 1) + (sizeLessThan === undefined ? 0 : 1);
  if (predicates < 2) throw malformed('And must combine two or more predicates.');
  if (sizeGreaterThan !== undefined && sizeLessThan !== undefined && sizeGreaterThan >= sizeLessThan) {
    throw invalid('ObjectSizeGreaterThan must be less than ObjectSizeLessThan.');
  }
  return {
    kind: 'and', tags,
    ...(prefix === undefined ? {} : { prefix }),
    ...(sizeGreaterThan === undefined ? {} : { sizeGreaterThan }),
    ...(sizeLessThan === undefined ? {} : { sizeLessThan }),
  };
}

function parseTag(node: XmlNode): ObjectTag {
  if (typeof node !== 'object' || node === null) throw malformed();
  if (Object.keys(node).some((name) => name !== 'Key' && name !== 'Value')) throw malformed();
  const key = textOrEmpty(only(node, 'Key', malformed));
  const value = textOrEmpty(only(node, 'Value', malformed));
  if (key.length === 0 || key.length > 128) throw invalid('The TagKey you have provided is invalid');
  if (value.length > 256) throw invalid('The TagValue you have provided is invalid');
  return { key, value };
}

function parseExpiration(node: XmlNode): LifecycleExpiration {
  if (typeof node !== 'object' || node === null) throw malformed();
  const names = Object.keys(node);
  if (names.some((name) => !['Days', 'Date', 'ExpiredObjectDeleteMarker'].includes(name))) throw malformed();
  if (names.some((name) => children(node, name).length !== 1)) throw malformed();
  if (names.includes('ExpiredObjectDeleteMarker')) {
    throw new S3Error('NotImplemented', { message: 'shardgate has no versioning: ExpiredObjectDeleteMarker is not implemented.' });
  }
  if (names.includes('Days') && names.includes('Date')) throw invalid('Expiration can have either Days or Date, not both.');
  if (names.includes('Days')) {
    const days = parseInteger(only(node, 'Days', malformed));
    if (days < 1) throw invalid("'Days' for Expiration action must be a positive integer");
    return { kind: 'days', days };
  }
  if (!names.includes('Date')) throw malformed();
  const dateMs = parseDate(textOrEmpty(only(node, 'Date', malformed)));
  if (dateMs % DAY_MS !== 0) throw invalid("'Date' must be at midnight GMT");
  return { kind: 'date', dateMs };
}

function parseAbortDays(node: XmlNode): number {
  if (typeof node !== 'object' || node === null) throw malformed();
  if (Object.keys(node).some((name) => name !== 'DaysAfterInitiation')) throw malformed();
  const days = parseInteger(only(node, 'DaysAfterInitiation', malformed));
  if (days < 1) throw invalid("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer");
  return days;
}

/** An xs:int / xs:long value: digits only (a sign or a fraction is not of the schema). */
function parseInteger(node: XmlNode): number {
  const value = textOrEmpty(node).trim();
  if (!/^\d{1,15}$/.test(value)) throw malformed();
  return Number(value);
}

function parseSize(node: XmlNode, minimum: number): number {
  const bytes = parseInteger(node);
  if (bytes < minimum) throw invalid(`Object size filters must be at least ${minimum}.`);
  return bytes;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?)?$/;

/** ISO 8601 as S3 takes it (`2026-01-01`, `2026-01-01T00:00:00Z`, with milliseconds or an offset). */
function parseDate(value: string): number {
  const match = ISO_DATE.exec(value.trim());
  if (!match) throw malformed();
  const iso = match[4] === undefined ? `${value.trim()}T00:00:00Z` : (match[7] === undefined ? `${value.trim()}Z` : value.trim());
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw malformed();
  return ms;
}

function optionalText(node: XmlNode, name: string): string | undefined {
  const found = children(node, name);
  return found.length === 0 ? undefined : textOrEmpty(found[0]);
}

/** Element text; an empty element is '' (xml2js gives '' for `<Prefix/>`). */
function textOrEmpty(node: XmlNode): string {
  return text(node, malformed);
}

/** GetBucketLifecycleConfiguration: the rules in the form they were put. */
export function lifecycleConfigurationXml(rules: readonly LifecycleRule[]): string {
  const body = rules.map((rule) => {
    const filter = rule.filter.kind === 'legacy-prefix' ? element('Prefix', rule.filter.prefix) : `<Filter>${filterXml(rule.filter)}</Filter>`;
    const expiration = rule.expiration === null ? '' : `<Expiration>${rule.expiration.kind === 'days'
      ? element('Days', String(rule.expiration.days))
      : element('Date', new Date(rule.expiration.dateMs).toISOString())}</Expiration>`;
    const abort = rule.abortIncompleteUploadDays === null ? ''
      : `<AbortIncompleteMultipartUpload>${element('DaysAfterInitiation', String(rule.abortIncompleteUploadDays))}</AbortIncompleteMultipartUpload>`;
    return `<Rule>${element('ID', rule.id)}${filter}${element('Status', rule.enabled ? 'Enabled' : 'Disabled')}${expiration}${abort}</Rule>`;
  }).join('');
  return `${XML_DECLARATION}\n<LifecycleConfiguration xmlns="${S3_XML_NAMESPACE}">${body}</LifecycleConfiguration>`;
}

function tagXml(tag: ObjectTag): string {
  return `<Tag>${element('Key', tag.key)}${element('Value', tag.value)}</Tag>`;
}

function filterXml(filter: Exclude<LifecycleFilter, { kind: 'legacy-prefix' }>): string {
  switch (filter.kind) {
    case 'all': return '';
    case 'prefix': return element('Prefix', filter.prefix);
    case 'tag': return tagXml(filter.tag);
    case 'size-greater-than': return element('ObjectSizeGreaterThan', String(filter.bytes));
    case 'size-less-than': return element('ObjectSizeLessThan', String(filter.bytes));
    case 'and': return `<And>${filter.prefix === undefined ? '' : element('Prefix', filter.prefix)}${filter.tags.map(tagXml).join('')}` +
      `${filter.sizeGreaterThan === undefined ? '' : element('ObjectSizeGreaterThan', String(filter.sizeGreaterThan))}` +
      `${filter.sizeLessThan === undefined ? '' : element('ObjectSizeLessThan', String(filter.sizeLessThan))}</And>`;
  }
}
