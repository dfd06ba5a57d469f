# Sample of a packaging script that runs a hidden payload at install time.
# The payload only decodes to: print('hello')
import base64
from setuptools import setup

exec(base64.b64decode("cHJpbnQoJ2hlbGxvJyk="))

setup(name="acme-billing-tools", version="1.4.2")
