import test from 'ava';
import { S3Error } from './errors.ts';
import { parseXmlBody } from './xml.ts';
import {
  accessControlPolicyXml, corsConfigurationXml, parseAccessControlPolicy, parseCorsConfiguration, versioningConfigurationXml,
} from './xml-bucket-config.ts';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
const OWNER = { id: '0123456789abcdef0123456789abcdef', displayName: 'alice' };

test('GetBucketAcl of a private bucket: the owner with FULL_CONTROL', (t) => {
  t.is(accessControlPolicyXml(OWNER, false),
    `<?xml version="1.0" encoding="UTF-8"?>\n<AccessControlPolicy xmlns="${NS}"><Owner><ID>${OWNER.id}</ID><DisplayName>alice</DisplayName></Owner>` +
    `<AccessControlList><Grant><Grantee ${XSI} xsi:type="CanonicalUser"><ID>${OWNER.id}</ID><DisplayName>alice</DisplayName></Grantee>` +
    `<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`);
});

test('GetBucketAcl of a public-read bucket adds READ for AllUsers', (t) => {
  t.is(accessControlPolicyXml(OWNER, true),
    `<?xml version="1.0" encoding="UTF-8"?>\n<AccessControlPolicy xmlns="${NS}"><Owner><ID>${OWNER.id}</ID><DisplayName>alice</DisplayName></Owner>` +
    `<AccessControlList><Grant><Grantee ${XSI} xsi:type="CanonicalUser"><ID>${OWNER.id}</ID><DisplayName>alice</DisplayName></Grantee>` +
    `<Permission>FULL_CONTROL</Permission></Grant><Grant><Grantee ${XSI} xsi:type="Group">` +
    `<URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>` +
    `</AccessControlList></AccessControlPolicy>`);
});

test('an AccessControlPolicy body parses back to owner and grants', async (t) => {
  const parsed = parseAccessControlPolicy(await parseXmlBody(accessControlPolicyXml(OWNER, true)));
  t.deepEqual(parsed, {
    ownerId: OWNER.id,
    grants: [
      { grantee: { type: 'CanonicalUser', id: OWNER.id }, permission: 'FULL_CONTROL' },
      { grantee: { type: 'Group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers' }, permission: 'READ' },
    ],
  });
  const empty = `<AccessControlPolicy xmlns="${NS}"><Owner><ID>x</ID></Owner><AccessControlList></AccessControlList></AccessControlPolicy>`;
  t.deepEqual(parseAccessControlPolicy(await parseXmlBody(empty)), { ownerId: 'x', grants: [] });
});

const grant = (grantee: string, permission: string) => `<Grant>${grantee}<Permission>${permission}</Permission></Grant>`;
const acl = (grants: string) => `<AccessControlPolicy xmlns="${NS}"><Owner><ID>x</ID></Owner><AccessControlList>${grants}</AccessControlList></AccessControlPolicy>`;
for (const [name, xml] of [
  ['another root', `<AccessControlList xmlns="${NS}"></AccessControlList>`],
  ['no owner', `<AccessControlPolicy xmlns="${NS}"><AccessControlList/></AccessControlPolicy>`],
  ['an unknown permission', acl(grant(`<Grantee ${XSI} xsi:type="CanonicalUser"><ID>x</ID></Grantee>`, 'EVERYTHING'))],
  ['a grantee without type', acl(grant('<Grantee><ID>x</ID></Grantee>', 'READ'))],
  ['a group without URI', acl(grant(`<Grantee ${XSI} xsi:type="Group"></Grantee>`, 'READ'))],
] as const) {
  test(`MalformedACLError: ${name}`, async (t) => {
    const parsed = await parseXmlBody(xml);
    const error = t.throws(() => parseAccessControlPolicy(parsed));
    t.is((error as S3Error).code, 'MalformedACLError');
  });
}

const RULES_XML = `<CORSConfiguration xmlns="${NS}"><CORSRule><ID>site</ID><AllowedOrigin>https://*.example.com</AllowedOrigin>` +
  `<AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedHeader>x-amz-*</AllowedHeader>` +
  `<AllowedHeader>content-type</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>600</MaxAgeSeconds></CORSRule>` +
  `<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule></CORSConfiguration>`;

test('PutBucketCors body → rules → GetBucketCors body, golden', async (t) => {
  const rules = parseCorsConfiguration(await parseXmlBody(RULES_XML));
  t.deepEqual(rules, [
    { id: 'site', allowedOrigins: ['https://*.example.com'], allowedMethods: ['GET', 'PUT'], allowedHeaders: ['x-amz-*', 'content-type'], exposeHeaders: ['ETag'], maxAgeSeconds: 600 },
    { allowedOrigins: ['*'], allowedMethods: ['HEAD'], allowedHeaders: [], exposeHeaders: [] },
  ]);
  t.is(corsConfigurationXml(rules), `<?xml version="1.0" encoding="UTF-8"?>\n${RULES_XML}`);
});

const corsRefused = test.macro({
  async exec(t, body: string, code: string, message?: string) {
    const parsed = await parseXmlBody(body);
    const error = t.throws(() => parseCorsConfiguration(parsed));
    t.is(String((error as S3Error).code), code);
    if (message !== undefined) t.is((error as S3Error).message, message);
  },
  title: (name = '', _body, code) => `PutBucketCors refuses ${name}: ${code}`,
});
const rule = (inner: string) => `<CORSConfiguration xmlns="${NS}"><CORSRule>${inner}</CORSRule></CORSConfiguration>`;
test('no rule', corsRefused, `<CORSConfiguration xmlns="${NS}"/>`, 'MalformedXML');
test('another root', corsRefused, `<CORSRules><CORSRule/></CORSRules>`, 'MalformedXML');
test('a rule without a method', corsRefused, rule('<AllowedOrigin>*</AllowedOrigin>'), 'MalformedXML');
test('a rule without an origin', corsRefused, rule('<AllowedMethod>GET</AllowedMethod>'), 'MalformedXML');
test('an unknown element', corsRefused, rule('<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><Colour>red</Colour>'), 'MalformedXML');
test('a negative MaxAgeSeconds', corsRefused, rule('<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>-1</MaxAgeSeconds>'), 'MalformedXML');
test('101 rules', corsRefused, `<CORSConfiguration>${'<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>'.repeat(101)}</CORSConfiguration>`, 'MalformedXML');
test('PATCH', corsRefused, rule('<AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod>'), 'InvalidRequest',
  'Found unsupported HTTP method in CORS config. Unsupported method is PATCH');
test('two wildcards in an origin', corsRefused, rule('<AllowedOrigin>https://*.*.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod>'), 'InvalidRequest',
  'AllowedOrigin "https://*.*.com" can not have more than one wildcard.');
test('a wildcard ExposeHeader', corsRefused, rule('<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><ExposeHeader>x-*</ExposeHeader>'), 'InvalidRequest');

test('GetBucketVersioning of a bucket that never had versioning, golden', (t) => {
  t.is(versioningConfigurationXml(), `<?xml version="1.0" encoding="UTF-8"?>\n<VersioningConfiguration xmlns="${NS}"/>`);
});
