"""boto3 against a shardgate endpoint with boto3's defaults (CRC32 request checksums, response
checksum validation): what test/clients.test.ts asserts on. Prints one JSON object.

Environment: SHARDGATE_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, BUCKET, BIG_FILE
(a file uploaded with upload_file: multipart above boto3's 8 MiB threshold).
"""
import hashlib
import io
import json
import os
import sys
import urllib.error
import urllib.request

import boto3
import botocore
from botocore.config import Config

from s3_test_client import client, error_of


def main():
    s3 = client(region_name="us-east-1")
    bucket = os.environ["BUCKET"]
    result = {"boto3": boto3.__version__, "botocore": botocore.__version__}

    s3.create_bucket(Bucket=bucket)
    body = bytes((i * 7919) % 251 for i in range(300_000))
    put = s3.put_object(Bucket=bucket, Key="dir/hello world.bin", Body=body, ContentType="application/x-test", Metadata={"owner": "boto3"})
    result["put_checksum_crc32"] = put.get("ChecksumCRC32")
    got = s3.get_object(Bucket=bucket, Key="dir/hello world.bin", ChecksumMode="ENABLED")
    result["get_equal"] = got["Body"].read() == body
    result["get_checksum_crc32"] = got.get("ChecksumCRC32")
    result["get_content_type"] = got["ContentType"]
    result["get_metadata"] = got["Metadata"]
    ranged = s3.get_object(Bucket=bucket, Key="dir/hello world.bin", Range="bytes=1000-1999", ChecksumMode="ENABLED")
    result["range_equal"] = ranged["Body"].read() == body[1000:2000]
    result["range_checksum"] = ranged.get("ChecksumCRC32")
    head = s3.head_object(Bucket=bucket, Key="dir/hello world.bin")
    result["head_length"] = head["ContentLength"]

    # CRC32C and CRC64NVME need botocore[crt] in boto3; the JS SDK covers them (test/object-headers.test.ts).
    for algorithm in ["SHA1", "SHA256"]:
        s3.put_object(Bucket=bucket, Key=f"sum/{algorithm}", Body=body, ChecksumAlgorithm=algorithm)
        checked = s3.head_object(Bucket=bucket, Key=f"sum/{algorithm}", ChecksumMode="ENABLED")
        result[f"head_checksum_{algorithm}"] = checked.get(f"Checksum{algorithm}")

    s3.upload_fileobj(io.BytesIO(b"streamed by upload_fileobj"), bucket, "small-upload.txt")
    result["upload_fileobj_equal"] = s3.get_object(Bucket=bucket, Key="small-upload.txt")["Body"].read() == b"streamed by upload_fileobj"

    big = os.environ["BIG_FILE"]
    s3.upload_file(big, bucket, "big.bin")
    digest = hashlib.sha256()
    for chunk in s3.get_object(Bucket=bucket, Key="big.bin")["Body"].iter_chunks(1 << 20):
        digest.update(chunk)
    result["big_sha256"] = digest.hexdigest()

    listed = s3.list_objects_v2(Bucket=bucket, Prefix="", Delimiter="/")
    result["list_keys"] = [entry["Key"] for entry in listed.get("Contents", [])]
    result["list_prefixes"] = [entry["Prefix"] for entry in listed.get("CommonPrefixes", [])]
    paged = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2})
    result["paged_keys"] = [entry["Key"] for page in paged for entry in page.get("Contents", [])]

    result["missing_key"] = error_of(lambda: s3.get_object(Bucket=bucket, Key="nope"))
    result["missing_bucket"] = error_of(lambda: s3.get_object(Bucket="no-such-bucket-boto3", Key="k"))
    result["bad_md5"] = error_of(lambda: s3.put_object(Bucket=bucket, Key="bad", Body=b"abc", ContentMD5="AAAAAAAAAAAAAAAAAAAAAA=="))

    # boto3 presigns with SigV2 unless told s3v4 (as for any endpoint that is not AWS): shardgate
    # speaks SigV4 only and says so.
    v4 = client(region_name="us-east-1", config=Config(signature_version="s3v4"))
    url = v4.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "small-upload.txt"}, ExpiresIn=300)
    with urllib.request.urlopen(url) as response:
        result["presigned_equal"] = response.read() == b"streamed by upload_fileobj"
    v2_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "small-upload.txt"}, ExpiresIn=300)
    try:
        urllib.request.urlopen(v2_url)
        result["presigned_v2"] = 200
    except urllib.error.HTTPError as error:
        result["presigned_v2"] = [error.code, error.read().decode()]

    for key in result["paged_keys"]:
        s3.delete_object(Bucket=bucket, Key=key)
    result["after_delete"] = s3.list_objects_v2(Bucket=bucket).get("KeyCount")
    s3.delete_bucket(Bucket=bucket)
    json.dump(result, sys.stdout)


main()
