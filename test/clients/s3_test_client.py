"""What the boto3 test scripts share: a client of the shardgate endpoint under test, and an S3
error as [Code, HTTP status]. Importable because Python puts a script's own folder on sys.path.
"""
import os

import boto3
from botocore.exceptions import ClientError


def client(**options):
    """boto3's S3 client with its defaults, at SHARDGATE_ENDPOINT; `options` as boto3.client's."""
    return boto3.client("s3", endpoint_url=os.environ["SHARDGATE_ENDPOINT"], **options)


def error_of(call):
    """[Code, HTTP status] of the S3 error `call` raises, or None when it succeeds."""
    try:
        call()
    except ClientError as error:
        return [error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]]
    return None
