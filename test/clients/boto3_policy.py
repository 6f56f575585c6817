"""Bucket policies and object ACLs through boto3 with its defaults: put/get/delete a policy,
its status, a malformed one, put_object with ACL and get_object_acl.

Prints one JSON object of results for test/access-policy.test.ts. Endpoint, bucket and keys come
from the environment (SHARDGATE_ENDPOINT, BUCKET, AWS_*).
"""
import json
import os

from s3_test_client import client, error_of

s3 = client()
bucket = os.environ["BUCKET"]
out = {}


s3.create_bucket(Bucket=bucket)
out["get_none"] = error_of(lambda: s3.get_bucket_policy(Bucket=bucket))
policy = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "PublicHls",
        "Effect": "Allow",
        "Principal": "*",
        "Action": ["s3:GetObject"],
        "Resource": f"arn:aws:s3:::{bucket}/hls/*",
    }],
})
s3.put_bucket_policy(Bucket=bucket, Policy=policy)
out["get_equal"] = s3.get_bucket_policy(Bucket=bucket)["Policy"] == policy
out["is_public"] = s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"]
out["malformed"] = error_of(lambda: s3.put_bucket_policy(Bucket=bucket, Policy='{"Statement": ['))
out["still_equal"] = s3.get_bucket_policy(Bucket=bucket)["Policy"] == policy
s3.delete_bucket_policy(Bucket=bucket)
out["get_deleted"] = error_of(lambda: s3.get_bucket_policy(Bucket=bucket))

s3.put_object(Bucket=bucket, Key="open.txt", Body=b"open", ACL="public-read")
grants = s3.get_object_acl(Bucket=bucket, Key="open.txt")["Grants"]
out["grants"] = sorted(f"{grant['Grantee']['Type']}:{grant['Permission']}" for grant in grants)
s3.put_object_acl(Bucket=bucket, Key="open.txt", ACL="private")
out["grants_after"] = [grant["Permission"] for grant in s3.get_object_acl(Bucket=bucket, Key="open.txt")["Grants"]]
out["authenticated_read"] = error_of(lambda: s3.put_object(Bucket=bucket, Key="x", Body=b"x", ACL="authenticated-read"))
print(json.dumps(out))
