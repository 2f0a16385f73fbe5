"""A local S3-compatible server (moto's, in a thread) for the tests of remote inputs.

s3fs finds it the way it finds any S3 endpoint: ``AWS_ENDPOINT_URL`` and the
usual ``AWS_*`` credential variables, which worker processes inherit.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@contextmanager
def s3_server() -> Iterator[Any]:
    """Start moto's S3 server on 127.0.0.1, point the environment at it; yield a boto3 S3 client."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    saved = {k: os.environ.get(k) for k in [*ENV, "AWS_ENDPOINT_URL"]}
    os.environ.update(ENV, AWS_ENDPOINT_URL=f"http://{host}:{port}")
    try:
        yield boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.stop()
