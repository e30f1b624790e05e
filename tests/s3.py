"""A real S3-compatible server for the store tests: moto's server mode (an HTTP server that speaks
the S3 API) on a free loopback port, reached through s3fs with the standard AWS variables, exactly
as dlviz would reach AWS, MinIO or any other S3 store. Nothing in dlviz is mocked."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support import free_port

BUCKET = "dlviz-test"
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@contextmanager
def s3_server() -> Iterator[str]:
    """Start moto's S3 server, point the AWS variables at it, create the test bucket; yields
    the endpoint URL. The variables are restored afterwards."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    saved = {k: os.environ.get(k) for k in (*AWS_ENV, "AWS_ENDPOINT_URL")}
    os.environ.update(AWS_ENV, AWS_ENDPOINT_URL=endpoint)
    try:
        import s3fs

        s3fs.S3FileSystem.clear_instance_cache()
        # moto keeps its buckets per process, across server instances
        with contextlib.suppress(FileExistsError):
            s3fs.S3FileSystem().mkdir(BUCKET)
        yield endpoint
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        import s3fs

        s3fs.S3FileSystem.clear_instance_cache()
        server.stop()


def fresh_prefix() -> str:
    """A new, empty folder in the test bucket."""
    return f"s3://{BUCKET}/{uuid.uuid4().hex[:12]}"
