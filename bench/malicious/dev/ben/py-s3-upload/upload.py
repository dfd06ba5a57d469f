"""Uploads the release artefacts to the project's bucket."""
import sys

import boto3


def upload(paths, bucket="example-releases"):
    session = boto3.Session()
    if session.get_credentials() is None:
        sys.exit("no AWS credentials configured")
    s3 = session.client("s3")
    for p in paths:
        s3.upload_file(p, bucket, p)


if __name__ == "__main__":
    upload(sys.argv[1:])
