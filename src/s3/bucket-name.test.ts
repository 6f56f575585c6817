import test from 'ava';
import { bucketNameProblem } from './bucket-name.ts';

const valid = ['abc', 'my-bucket', 'my.bucket.name', 'a1b2c3', '123', 'a'.repeat(63)];
const invalid = ['ab', 'a'.repeat(64), 'My-Bucket', 'my_bucket', '-start', 'end-', '.start', 'end.', 'a..b', 'a.-b', 'a-.b', 'my-.bucket', '192.168.5.4', 'xn--abc', 'sthree-x', 'abc-s3alias', 'has space', '_private'];

for (const name of valid) test(`accepts ${name}`, (t) => t.is(bucketNameProblem(name), null));
for (const name of invalid) test(`refuses ${name}`, (t) => t.truthy(bucketNameProblem(name)));
