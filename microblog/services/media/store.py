"""Where picture files live: one small interface, two adapters, chosen once from the settings.

- `LocalStore` (the default): files in `MEDIA_DIR`, served by the backend under `/media/<name>`
  (microblog/web/media_files.py). Nothing to set up; one machine.
- `S3Store` when `MEDIA_STORAGE_URL` is `s3://bucket[/prefix]?endpoint=...&region=...`: any
  S3-compatible object storage (AWS, MinIO, Garage, Ceph...), so several machines share the same
  files. Credentials come from the usual `AWS_*` variables (boto3's own chain). Objects are
  read by browsers straight from the storage (or a CDN in front of it, `MEDIA_PUBLIC_URL`).

Names are content hashes (`content_name`): a name never changes meaning, so every file is served
as `immutable` for a year, and the same picture uploaded twice is one file. Because of that a
file may be shared by several attachments: deleting is the caller's decision
(services/media/attachments.py checks that no other row still names the file).

Calls block (disk or network): callers run in a worker thread, as every service does.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qs, quote, urlsplit

from microblog.config import Settings, get_settings

if TYPE_CHECKING:
    from collections.abc import Iterator

CACHE_CONTROL = "public, max-age=31536000, immutable"
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
}
NAME_PATTERN = re.compile(r"^[0-9a-f]{64}\.(jpg|png|webp|gif)$")


class MediaMissing(Exception):
    """The store has no file of that name."""


class MediaStoreError(Exception):
    """The store could not be reached or refused the operation (a failing dependency)."""


def content_name(data: bytes, extension: str) -> str:
    """The file's name: the SHA-256 of its bytes and its extension."""
    if extension not in CONTENT_TYPES:
        msg = f"Unknown picture extension: {extension!r}"
        raise ValueError(msg)
    return f"{hashlib.sha256(data).hexdigest()}.{extension}"


def content_type_of(name: str) -> str:
    """The content type a stored file is served with, from its (checked) name."""
    if not NAME_PATTERN.match(name):
        raise MediaMissing(name)
    return CONTENT_TYPES[name.rsplit(".", 1)[1]]


class MediaStore(Protocol):
    """What the rest of the app may ask of a store."""

    def put(self, name: str, data: bytes, content_type: str) -> None:
        """Store `data` under `name` (the same name again is a no-op: same content)."""

    def delete(self, name: str) -> None:
        """Remove the file; a missing file is not an error."""

    def url(self, name: str) -> str:
        """The address a browser loads the file from."""

    def read(self, name: str) -> bytes:
        """The file's bytes (the export, the tests); `MediaMissing` when there is none."""

    def exists(self, name: str) -> bool:
        """Whether the file is there."""


@dataclass(frozen=True)
class LocalStore:
    """A folder on this machine. Files are spread over 256 subfolders by the first two hex
    digits of their name, so no folder grows past what a file system lists quickly."""

    root: Path
    public_base: str  # e.g. http://localhost:8000/media

    def path(self, name: str) -> Path:
        content_type_of(name)  # refuses anything but a content name: no path tricks
        return self.root / name[:2] / name

    def put(self, name: str, data: bytes, content_type: str) -> None:
        target = self.path(name)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write aside, then rename: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def url(self, name: str) -> str:
        return f"{self.public_base}/{quote(name)}"

    def read(self, name: str) -> bytes:
        try:
            return self.path(name).read_bytes()
        except FileNotFoundError:
            raise MediaMissing(name) from None

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def names(self) -> Iterator[str]:
        """Every stored file's name (tests and housekeeping)."""
        for path in self.root.glob("*/*"):
            if NAME_PATTERN.match(path.name):
                yield path.name


@dataclass(frozen=True)
class S3Location:
    """`s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=eu-west-1`, parsed."""

    bucket: str
    prefix: str
    endpoint: str | None
    region: str | None

    @classmethod
    def parse(cls, url: str) -> S3Location:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            msg = f"MEDIA_STORAGE_URL must look like s3://bucket/prefix?endpoint=...: {url!r}"
            raise ValueError(msg)
        query = parse_qs(parts.query)
        prefix = parts.path.strip("/")
        endpoint = query.get("endpoint", [""])[0]
        region = query.get("region", [""])[0]
        return cls(
            bucket=parts.netloc,
            prefix=f"{prefix}/" if prefix else "",
            endpoint=endpoint or None,
            region=region or None,
        )

    def default_public_base(self) -> str:
        """Where the bucket's objects are read without a CDN: path-style on a custom endpoint,
        AWS's virtual-hosted address otherwise."""
        if self.endpoint:
            base = f"{self.endpoint.rstrip('/')}/{self.bucket}"
        else:
            region = self.region or "us-east-1"
            base = f"https://{self.bucket}.s3.{region}.amazonaws.com"
        return f"{base}/{self.prefix}".rstrip("/")


class S3Store:
    """An S3-compatible bucket through boto3. Every object is written with its content type
    and the same year-long `immutable` cache header the local files get."""

    def __init__(self, location: S3Location, public_base: str, client: Any = None) -> None:
        self.location = location
        self.public_base = public_base.rstrip("/")
        self._client = client or _s3_client(location)

    def _key(self, name: str) -> str:
        content_type_of(name)
        return f"{self.location.prefix}{name}"

    def put(self, name: str, data: bytes, content_type: str) -> None:
        key = self._key(name)
        try:
            self._client.put_object(
                Bucket=self.location.bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                CacheControl=CACHE_CONTROL,
            )
        except Exception as problem:
            raise MediaStoreError(str(problem)) from problem

    def delete(self, name: str) -> None:
        key = self._key(name)
        try:
            self._client.delete_object(Bucket=self.location.bucket, Key=key)
        except Exception as problem:
            raise MediaStoreError(str(problem)) from problem

    def url(self, name: str) -> str:
        return f"{self.public_base}/{quote(name)}"

    def read(self, name: str) -> bytes:
        key = self._key(name)
        try:
            answer = self._client.get_object(Bucket=self.location.bucket, Key=key)
        except self._client.exceptions.NoSuchKey:
            raise MediaMissing(name) from None
        except Exception as problem:
            raise MediaStoreError(str(problem)) from problem
        body: bytes = answer["Body"].read()
        return body

    def exists(self, name: str) -> bool:
        from botocore.exceptions import ClientError

        key = self._key(name)
        try:
            self._client.head_object(Bucket=self.location.bucket, Key=key)
        except ClientError as problem:
            if problem.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise MediaStoreError(str(problem)) from problem
        return True


def _s3_client(location: S3Location) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=location.endpoint,
        region_name=location.region,
        config=Config(
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 3, "mode": "standard"},
            # Path-style on custom endpoints: no wildcard DNS needed for bucket.host names.
            s3={"addressing_style": "path" if location.endpoint else "auto"},
        ),
    )


def store_from_settings(settings: Settings) -> MediaStore:
    """The store the settings ask for."""
    if settings.media_storage_url:
        location = S3Location.parse(settings.media_storage_url)
        return S3Store(location, settings.media_public_url or location.default_public_base())
    public = settings.media_public_url or f"{settings.api_url}/media"
    return LocalStore(Path(settings.media_dir), public)


_override: list[MediaStore] = []


@lru_cache(maxsize=1)
def _configured() -> MediaStore:
    return store_from_settings(get_settings())


def get_store() -> MediaStore:
    """The process's store, built once (or the one a test set with `use_store`)."""
    return _override[-1] if _override else _configured()


def use_store(store: MediaStore | None) -> None:
    """Tests: use `store` instead of the configured one; None goes back to the settings."""
    _override.clear()
    if store is not None:
        _override.append(store)


def public_base() -> str:
    """The start of every media URL (for the Content-Security-Policy's img-src)."""
    store = get_store()
    return str(getattr(store, "public_base", ""))
