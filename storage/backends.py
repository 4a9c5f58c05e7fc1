"""Where a Client connects.

Minimal first version: an explicit endpoint (or ``STORAGE_EMULATOR_HOST``) with a named bucket,
or Google Cloud Storage with Application Default Credentials. The full resolution order
(configuration, Replit's sidecar, the embedded local server) is documented in the README.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from . import errors

__all__ = ["Connection", "connect"]

BACKENDS = ("gcs", "replit", "local", "emulator")


@dataclass
class Connection:
    """A resolved connection: the google-cloud-storage client and bucket to use."""

    gcs: Any  # google.cloud.storage.Client
    bucket_name: str
    backend: str
    endpoint: str | None
    credentials_source: str
    #: The server stores names as file paths (the embedded local server): stricter names.
    filesystem_names: bool = False
    data_dir: str | None = None
    bucket: Any = field(init=False)

    def __post_init__(self) -> None:
        self.bucket = self.gcs.bucket(self.bucket_name)

    def describe(self) -> dict[str, str | None]:
        return {
            "backend": self.backend,
            "endpoint": self.endpoint or "https://storage.googleapis.com",
            "bucket": self.bucket_name,
            "credentials": self.credentials_source,
            "data_dir": self.data_dir,
        }


def _emulator_client(endpoint: str) -> Any:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage as gcs

    return gcs.Client(
        project="satchel-local",
        credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
        client_options={"api_endpoint": endpoint},
    )


def connect(
    bucket_id: str | None,
    *,
    endpoint: str | None = None,
    backend: str | None = None,
    timeout: float = 10.0,
) -> Connection:
    """Resolve a Client's connection. Raises DefaultBucketError when no bucket can be found."""
    endpoint = endpoint or os.environ.get("STORAGE_EMULATOR_HOST") or None
    bucket = bucket_id or os.environ.get("SATCHEL_BUCKET") or None
    if endpoint:
        if not bucket:
            raise errors.DefaultBucketError(
                f"No bucket given for the storage endpoint {endpoint}",
                hint="pass Client('my-bucket') or set SATCHEL_BUCKET",
            )
        return Connection(
            gcs=_emulator_client(endpoint),
            bucket_name=bucket,
            backend="emulator",
            endpoint=endpoint,
            credentials_source="anonymous (emulator)",
        )
    if not bucket:
        raise errors.DefaultBucketError(
            "No default bucket is configured",
            hint=(
                "pass Client('my-bucket'), set SATCHEL_BUCKET, or set SATCHEL_BACKEND=local "
                "to use the embedded local server"
            ),
        )
    from google.cloud import storage as gcs

    return Connection(
        gcs=gcs.Client(),
        bucket_name=bucket,
        backend="gcs",
        endpoint=None,
        credentials_source="Application Default Credentials",
    )
