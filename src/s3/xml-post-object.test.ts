import test from 'ava';
import { postResponseXml } from './xml-post-object.ts';

test('PostResponse: Location, Bucket, Key and the quoted ETag, escaped', (t) => {
  t.is(
    postResponseXml({ location: 'http://127.0.0.1:9000/videos/a%26b.mp4', bucket: 'videos', key: 'a&b.mp4', etag: '"0cc175b9c0f1b6a831c399e269772661"' }),
    '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>http://127.0.0.1:9000/videos/a%26b.mp4</Location><Bucket>videos</Bucket>'
      + '<Key>a&amp;b.mp4</Key><ETag>&quot;0cc175b9c0f1b6a831c399e269772661&quot;</ETag></PostResponse>',
  );
});
