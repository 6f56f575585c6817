"""SSE-C through boto3 with its defaults: put/get/head with SSECustomerKey, a wrong key, a missing key.

Prints one JSON object of results for test/sse-c.test.ts. Endpoint, bucket and keys come from the
environment (SHARDGATE_ENDPOINT, BUCKET, AWS_*); CUSTOMER_KEY and OTHER_KEY are 32-char strings.
"""
import json
import os

from s3_test_client import client, error_of

s3 = client()
bucket = os.environ["BUCKET"]
key = os.environ["CUSTOMER_KEY"]
other = os.environ["OTHER_KEY"]
body = bytes((i * 31) % 251 for i in range(200_000))
out = {}

put = s3.put_object(Bucket=bucket, Key="boto3/secret", Body=body, SSECustomerAlgorithm="AES256", SSECustomerKey=key)
out["put_algorithm"] = put.get("SSECustomerAlgorithm")
got = s3.get_object(Bucket=bucket, Key="boto3/secret", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
out["get_equal"] = got["Body"].read() == body
out["get_algorithm"] = got.get("SSECustomerAlgorithm")
ranged = s3.get_object(Bucket=bucket, Key="boto3/secret", Range="bytes=1000-70000", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
out["range_equal"] = ranged["Body"].read() == body[1000:70001]
head = s3.head_object(Bucket=bucket, Key="boto3/secret", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
out["head_length"] = head["ContentLength"]


out["wrong_key"] = error_of(lambda: s3.get_object(Bucket=bucket, Key="boto3/secret", SSECustomerAlgorithm="AES256", SSECustomerKey=other))
out["missing_key"] = error_of(lambda: s3.get_object(Bucket=bucket, Key="boto3/secret"))
print(json.dumps(out))
