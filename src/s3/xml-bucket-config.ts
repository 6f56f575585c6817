/**
 * XML of the bucket sub-resources shardgate keeps: `?acl` (AccessControlPolicy), `?cors`
 * (CORSConfiguration) and `?versioning` (VersioningConfiguration). Builders return whole documents
 * in S3's compact form; parsers take `parseXmlBody`'s xml2js tree and validate it as S3 does.
 */
import type { CorsMethod, CorsRule } from '../meta/types.ts';
import { S3Error } from './errors.ts';
import { escapeXml, S3_XML_NAMESPACE, XML_DECLARATION, type OwnerXmlInput } from './xml.ts';

export const ALL_USERS_URI = 'http://acs.amazonaws.com/groups/global/AllUsers';
const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';
export const CORS_METHODS: readonly CorsMethod[] = ['GET', 'PUT', 'HEAD', 'POST', 'DELETE'];
/** S3's limit on rules in one CORS configuration. */
export const MAX_CORS_RULES = 100;

function element(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`;
}

// ---------------------------------------------------------------------------------------------
// ACL

/**
 * GetBucketAcl: the owner with FULL_CONTROL, plus READ for the AllUsers group when the bucket is
 * public-read — the grants S3 shows for the canned ACLs `private` and `public-read`.
 */
export function accessControlPolicyXml(owner: OwnerXmlInput, publicRead: boolean): string {
  const ownerFields = `${element('ID', owner.id)}${element('DisplayName', owner.displayName)}`;
  const grantee = (type: string, fields: string) => `<Grantee xmlns:xsi="${XSI_NAMESPACE}" xsi:type="${type}">${fields}</Grantee>`;
  const grants = [`<Grant>${grantee('CanonicalUser', ownerFields)}<Permission>FULL_CONTROL</Permission></Grant>`];
  if (publicRead) grants.push(`<Grant>${grantee('Group', element('URI', ALL_USERS_URI))}<Permission>READ</Permission></Grant>`);
  return `${XML_DECLARATION}\n<AccessControlPolicy xmlns="${S3_XML_NAMESPACE}"><Owner>${ownerFields}</Owner>` +
    `<AccessControlList>${grants.join('')}</AccessControlList></AccessControlPolicy>`;
}

export type AclPermission = 'FULL_CONTROL' | 'WRITE' | 'WRITE_ACP' | 'READ' | 'READ_ACP';
const PERMISSIONS: readonly string[] = ['FULL_CONTROL', 'WRITE', 'WRITE_ACP', 'READ', 'READ_ACP'];

export type AclGrantee =
  | { readonly type: 'CanonicalUser'; readonly id: string }
  | { readonly type: 'Group'; readonly uri: string }
  | { readonly type: 'AmazonCustomerByEmail'; readonly email: string };

export interface AccessControlPolicyInput {
  readonly ownerId: string;
  readonly grants: readonly { readonly grantee: AclGrantee; readonly permission: AclPermission }[];
}

/** PutBucketAcl's body. Anything not of the schema is MalformedACLError, as on S3. */
export function parseAccessControlPolicy(parsed: unknown): AccessControlPolicyInput {
  const malformed = () => new S3Error('MalformedACLError');
  const root = childOf(parsed, 'AccessControlPolicy');
  if (root === undefined) throw malformed();
  const ownerId = text(only(only(root, 'Owner', malformed), 'ID', malformed), malformed);
  const list = only(root, 'AccessControlList', malformed);
  const grants = (list === '' ? [] : children(list, 'Grant')).map((grant) => {
    const granteeNode = only(grant, 'Grantee', malformed);
    const permission = text(only(grant, 'Permission', malformed), malformed);
    if (!PERMISSIONS.includes(permission)) throw malformed();
    const type = attributesOf(granteeNode)['xsi:type'];
    let grantee: AclGrantee;
    if (type === 'CanonicalUser') grantee = { type, id: text(only(granteeNode, 'ID', malformed), malformed) };
    else if (type === 'Group') grantee = { type, uri: text(only(granteeNode, 'URI', malformed), malformed) };
    else if (type === 'AmazonCustomerByEmail') grantee = { type, email: text(only(granteeNode, 'EmailAddress', malformed), malformed) };
    else throw malformed();
    return { grantee, permission: permission as AclPermission };
  });
  return { ownerId, grants };
}

// ---------------------------------------------------------------------------------------------
// CORS

/** GetBucketCors. */
export function corsConfigurationXml(rules: readonly CorsRule[]): string {
  const body = rules.map((rule) => {
    const many = (name: string, values: readonly string[]) => values.map((value) => element(name, value)).join('');
    return `<CORSRule>${rule.id === undefined ? '' : element('ID', rule.id)}${many('AllowedOrigin', rule.allowedOrigins)}` +
      `${many('AllowedMethod', rule.allowedMethods)}${many('AllowedHeader', rule.allowedHeaders)}` +
      `${many('ExposeHeader', rule.exposeHeaders)}` +
      `${rule.maxAgeSeconds === undefined ? '' : element('MaxAgeSeconds', String(rule.maxAgeSeconds))}</CORSRule>`;
  }).join('');
  return `${XML_DECLARATION}\n<CORSConfiguration xmlns="${S3_XML_NAMESPACE}">${body}</CORSConfiguration>`;
}

const CORS_RULE_ELEMENTS = new Set(['ID', 'AllowedOrigin', 'AllowedMethod', 'AllowedHeader', 'ExposeHeader', 'MaxAgeSeconds']);

/**
 * PutBucketCors's body → rules. S3's answers: not the schema (no rule, a rule without origin or
 * method, more than 100 rules, an unknown element) → MalformedXML; a method other than GET, PUT,
 * HEAD, POST, DELETE, or an origin or header with two wildcards → InvalidRequest.
 */
export function parseCorsConfiguration(parsed: unknown): CorsRule[] {
  const malformed = () => new S3Error('MalformedXML');
  const root = childOf(parsed, 'CORSConfiguration');
  if (typeof root !== 'object' || root === null) throw malformed();
  if (Object.keys(root).some((name) => name !== '$' && name !== 'CORSRule')) throw malformed();
  const ruleNodes = children(root, 'CORSRule');
  if (ruleNodes.length === 0 || ruleNodes.length > MAX_CORS_RULES) throw malformed();
  return ruleNodes.map((node) => {
    if (typeof node !== 'object' || node === null) throw malformed();
    if (Object.keys(node).some((name) => !CORS_RULE_ELEMENTS.has(name))) throw malformed();
    const texts = (name: string) => children(node, name).map((child) => text(child, malformed));
    const allowedOrigins = texts('AllowedOrigin');
    const allowedMethods = texts('AllowedMethod');
    if (allowedOrigins.length === 0 || allowedMethods.length === 0) throw malformed();
    for (const method of allowedMethods) {
      if (!(CORS_METHODS as readonly string[]).includes(method)) {
        throw new S3Error('InvalidRequest', { message: `Found unsupported HTTP method in CORS config. Unsupported method is ${method}` });
      }
    }
    const allowedHeaders = texts('AllowedHeader');
    for (const [name, values] of [['AllowedOrigin', allowedOrigins], ['AllowedHeader', allowedHeaders]] as const) {
      const doubled = values.find((value) => value.split('*').length > 2);
      if (doubled !== undefined) throw new S3Error('InvalidRequest', { message: `${name} "${doubled}" can not have more than one wildcard.` });
    }
    const exposeHeaders = texts('ExposeHeader');
    const wildExpose = exposeHeaders.find((value) => value.includes('*'));
    if (wildExpose !== undefined) {
      throw new S3Error('InvalidRequest', { message: `ExposeHeader "${wildExpose}" contains wildcard. We currently do not support wildcard for ExposeHeader.` });
    }
    const ids = texts('ID');
    const maxAges = texts('MaxAgeSeconds');
    if (ids.length > 1 || maxAges.length > 1 || (ids[0] !== undefined && ids[0].length > 255)) throw malformed();
    if (maxAges[0] !== undefined && !/^\d{1,9}$/.test(maxAges[0].trim())) throw malformed();
    const rule: CorsRule = {
      ...(ids[0] === undefined ? {} : { id: ids[0] }),
      allowedOrigins,
      allowedMethods: allowedMethods as CorsMethod[],
      allowedHeaders,
      exposeHeaders,
      ...(maxAges[0] === undefined ? {} : { maxAgeSeconds: Number(maxAges[0].trim()) }),
    };
    return rule;
  });
}

// ---------------------------------------------------------------------------------------------
// Versioning

/** GetBucketVersioning of a bucket that never had versioning: an empty configuration, as on S3. */
export function versioningConfigurationXml(): string {
  return `${XML_DECLARATION}\n<VersioningConfiguration xmlns="${S3_XML_NAMESPACE}"/>`;
}

// ---------------------------------------------------------------------------------------------
// xml2js tree access (see parseXmlBody: every child element is an array; text-only elements
// are strings; elements with attributes are objects with `$` and, for text, `_`).

export type Node = unknown;

export function childOf(tree: unknown, name: string): Node | undefined {
  if (typeof tree !== 'object' || tree === null || !Object.hasOwn(tree, name)) return undefined;
  return (tree as Record<string, unknown>)[name];
}

export function children(node: Node, name: string): Node[] {
  const value = childOf(node, name);
  return Array.isArray(value) ? value : [];
}

export function only(node: Node, name: string, error: () => S3Error): Node {
  const found = children(node, name);
  if (found.length !== 1) throw error();
  return found[0];
}

export function text(node: Node, error: () => S3Error): string {
  if (typeof node === 'string') return node;
  if (typeof node === 'object' && node !== null && typeof (node as { _?: unknown })._ === 'string') return (node as { _: string })._;
  throw error();
}

function attributesOf(node: Node): Record<string, string> {
  const attributes = childOf(node, '$');
  return typeof attributes === 'object' && attributes !== null ? attributes as Record<string, string> : {};
}
