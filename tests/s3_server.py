"""A real S3 protocol peer for the tests: moto's standalone server (the same HTTP API AWS
speaks, signatures parsed, objects kept in memory) on a free loopback port, stopped when the
block ends."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from tests.app_server import free_port

REGION = "us-east-1"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "microblog-test",
    "AWS_SECRET_ACCESS_KEY": "microblog-test-secret",  # moto accepts any; nothing real here
    "AWS_DEFAULT_REGION": REGION,
}


@dataclass(frozen=True)
class S3Server:
    endpoint: str  # http://127.0.0.1:PORT

    def client(self):  # type: ignore[no-untyped-def]
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def new_bucket(self) -> str:
        """A bucket of its own for one test, readable by anyone, as docs/media.md asks of a
        bucket that browsers read from."""
        name = f"media-{uuid.uuid4().hex[:12]}"
        client = self.client()
        client.create_bucket(Bucket=name)
        client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read_policy(name)))
        return name

    def storage_url(self, bucket: str, prefix: str = "") -> str:
        """The MEDIA_STORAGE_URL that names `bucket` on this server."""
        path = f"/{prefix}" if prefix else ""
        return f"s3://{bucket}{path}?endpoint={self.endpoint}&region={REGION}"


def public_read_policy(bucket: str) -> dict[str, object]:
    """Anyone may read objects (not list them, not write them)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }


@contextmanager
def s3_server() -> Iterator[S3Server]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield S3Server(endpoint=f"http://127.0.0.1:{port}")
    finally:
        server.stop()


def use_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """boto3 reads the usual AWS_* variables, as in production."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
