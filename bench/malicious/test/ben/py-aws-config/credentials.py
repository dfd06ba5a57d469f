import configparser
import os

import requests


def load_profile(name="default"):
    path = os.environ.get("AWS_SHARED_CREDENTIALS_FILE", os.path.expanduser("~/.aws/credentials"))
    parser = configparser.ConfigParser()
    parser.read(path)
    section = parser[name]
    return section["aws_access_key_id"], section["aws_secret_access_key"]


def list_buckets(signer):
    key_id, secret = load_profile()
    headers = signer.sign("GET", "https://s3.amazonaws.com/", key_id, secret)
    return requests.get("https://s3.amazonaws.com/", headers=headers).text
