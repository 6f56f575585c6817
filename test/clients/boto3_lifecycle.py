"""boto3 against a shardgate endpoint: Put/Get/DeleteBucketLifecycleConfiguration with boto3's
defaults, what test/lifecycle.test.ts asserts on. Prints one JSON object.

Environment: SHARDGATE_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, BUCKET.
"""
import json
import os

from s3_test_client import client, error_of


def main():
    s3 = client(region_name="us-east-1")
    bucket = os.environ["BUCKET"]
    s3.create_bucket(Bucket=bucket)
    result = {"missing": error_of(lambda: s3.get_bucket_lifecycle_configuration(Bucket=bucket))}
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Expiration": {"Days": 30}},
        {"ID": "uploads", "Filter": {}, "Status": "Enabled", "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
        {"ID": "big-tmp", "Status": "Disabled", "Expiration": {"Days": 1},
         "Filter": {"And": {"Prefix": "tmp/", "ObjectSizeGreaterThan": 1024, "Tags": [{"Key": "kind", "Value": "scratch"}]}}},
    ]})
    result["rules"] = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    result["days_zero"] = error_of(lambda: s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "zero", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 0}},
    ]}))
    s3.delete_bucket_lifecycle(Bucket=bucket)
    result["after_delete"] = error_of(lambda: s3.get_bucket_lifecycle_configuration(Bucket=bucket))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
