"""Object and bucket tagging, and GetObjectAttributes, through boto3 with its defaults.

Prints one JSON object of results for test/tagging.test.ts. Endpoint, bucket and credentials come
from the environment (SHARDGATE_ENDPOINT, BUCKET, AWS_*).
"""
import json
import os

from s3_test_client import client, error_of

s3 = client()
bucket = os.environ["BUCKET"]
out = {}


def tag_set(response):
    return [[tag["Key"], tag["Value"]] for tag in response["TagSet"]]


s3.create_bucket(Bucket=bucket)
s3.put_object(Bucket=bucket, Key="tagged", Body=b"boto3 tagged", Tagging="project=blue&city=Z%C3%BCrich")
out["put_tags"] = tag_set(s3.get_object_tagging(Bucket=bucket, Key="tagged"))
out["get_tag_count"] = s3.get_object(Bucket=bucket, Key="tagged").get("TagCount")
s3.put_object_tagging(Bucket=bucket, Key="tagged", Tagging={"TagSet": [{"Key": "stage", "Value": "final cut"}]})
out["replaced_tags"] = tag_set(s3.get_object_tagging(Bucket=bucket, Key="tagged"))
s3.copy_object(Bucket=bucket, Key="copied", CopySource={"Bucket": bucket, "Key": "tagged"})
out["copy_tags"] = tag_set(s3.get_object_tagging(Bucket=bucket, Key="copied"))
s3.copy_object(Bucket=bucket, Key="replaced", CopySource={"Bucket": bucket, "Key": "tagged"}, TaggingDirective="REPLACE", Tagging="a=1")
out["copy_replace_tags"] = tag_set(s3.get_object_tagging(Bucket=bucket, Key="replaced"))
s3.delete_object_tagging(Bucket=bucket, Key="tagged")
out["deleted_tags"] = tag_set(s3.get_object_tagging(Bucket=bucket, Key="tagged"))
out["deleted_tag_count"] = s3.get_object(Bucket=bucket, Key="tagged").get("TagCount")
eleven = [{"Key": f"k{i}", "Value": "v"} for i in range(11)]
out["eleven_tags"] = error_of(lambda: s3.put_object_tagging(Bucket=bucket, Key="tagged", Tagging={"TagSet": eleven}))
out["aws_prefix"] = error_of(lambda: s3.put_object(Bucket=bucket, Key="never", Body=b"x", Tagging="aws%3Ax=1"))
out["missing_key"] = error_of(lambda: s3.get_object_tagging(Bucket=bucket, Key="missing"))

out["no_bucket_tags"] = error_of(lambda: s3.get_bucket_tagging(Bucket=bucket))
s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "video"}]})
out["bucket_tags"] = tag_set(s3.get_bucket_tagging(Bucket=bucket))
s3.delete_bucket_tagging(Bucket=bucket)
out["bucket_tags_deleted"] = error_of(lambda: s3.get_bucket_tagging(Bucket=bucket))

attributes = s3.get_object_attributes(Bucket=bucket, Key="copied", ObjectAttributes=["ETag", "ObjectSize", "StorageClass", "Checksum"])
out["attributes"] = {name: attributes.get(name) for name in ["ETag", "ObjectSize", "StorageClass"]}
out["attributes_checksum_type"] = (attributes.get("Checksum") or {}).get("ChecksumType")
print(json.dumps(out))
