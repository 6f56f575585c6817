import test from 'ava';
import { postObjectResponse } from './post-response.ts';

const POSTED = { bucket: 'videos', key: 'a b/c.mp4', etag: '"0cc175b9c0f1b6a831c399e269772661"', location: 'http://127.0.0.1:9000/videos/a%20b/c.mp4' };
const answer = async (fields: Record<string, string>) => {
  const response = postObjectResponse(new Map(Object.entries(fields)), POSTED, { 'x-amz-server-side-encryption': 'AES256' });
  return { status: response.status, location: response.headers.get('location'), etag: response.headers.get('etag'), body: await response.text() };
};

test('no success_action_*: 204 with ETag and Location', async (t) => {
  t.deepEqual(await answer({}), { status: 204, location: POSTED.location, etag: POSTED.etag, body: '' });
});

test('success_action_status 200, 201 (PostResponse), 204; anything else is 204', async (t) => {
  t.like(await answer({ success_action_status: '200' }), { status: 200, body: '' });
  const created = await answer({ success_action_status: '201' });
  t.is(created.status, 201);
  t.regex(created.body, /<PostResponse><Location>http:\/\/127\.0\.0\.1:9000\/videos\/a%20b\/c\.mp4<\/Location><Bucket>videos<\/Bucket><Key>a b\/c\.mp4<\/Key>/);
  t.like(await answer({ success_action_status: '204' }), { status: 204 });
  t.like(await answer({ success_action_status: '302' }), { status: 204 });
});

test('success_action_redirect (or redirect): 303 with bucket, key and etag added to the query; a non-http URL is ignored', async (t) => {
  t.like(await answer({ success_action_redirect: 'https://app.example/done?x=1', success_action_status: '201' }), {
    status: 303, location: 'https://app.example/done?x=1&bucket=videos&key=a+b%2Fc.mp4&etag=%220cc175b9c0f1b6a831c399e269772661%22',
  });
  t.like(await answer({ redirect: 'http://app.example/' }), { status: 303, location: 'http://app.example/?bucket=videos&key=a+b%2Fc.mp4&etag=%220cc175b9c0f1b6a831c399e269772661%22' });
  t.like(await answer({ success_action_redirect: 'javascript:alert(1)', success_action_status: '200' }), { status: 200, location: POSTED.location });
  t.like(await answer({ success_action_redirect: 'not a url' }), { status: 204 });
});
