import test from 'ava';
import { S3Error } from '../../src/s3/errors.ts';
import { parseRangeQuery } from './range-query.ts';

test('offset,length is the half-open span', (t) => {
  t.deepEqual(parseRangeQuery('0,1', 10), { offset: 0, length: 1 });
  t.deepEqual(parseRangeQuery('3,7', 10), { offset: 3, length: 7 });
  t.deepEqual(parseRangeQuery('10,0', 10), { offset: 10, length: 0 });
});

test('past the end is 416 InvalidRange with Content-Range: bytes */size', (t) => {
  for (const value of ['3,8', '10,1', '11,0']) {
    const error = t.throws(() => parseRangeQuery(value, 10), { instanceOf: S3Error });
    t.is(error!.code, 'InvalidRange');
    t.is(error!.status, 416);
    t.is(error!.headers['Content-Range'], 'bytes */10');
  }
});

test('anything but two decimal numbers is 400 InvalidArgument', (t) => {
  for (const value of ['', '1', '1,', ',1', '-1,2', '1,2,3', 'a,b', '1-2', '0x1,2', '1 ,2', '12345678901234567,1']) {
    const error = t.throws(() => parseRangeQuery(value, 100), { instanceOf: S3Error });
    t.is(error!.code, 'InvalidArgument', value);
  }
});
