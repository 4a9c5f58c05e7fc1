"""Satchel's storage library: Replit's Object Storage Client API over google-cloud-storage.

    from storage import Client
    client = Client()
    client.upload_from_text("hello.txt", "hi")

This package never imports Textual or Rich.
"""

from __future__ import annotations

from .client import Client
from .errors import (
    BucketNotFoundError,
    ConfigurationError,
    ConnectionFailedError,
    CredentialsError,
    DefaultBucketError,
    ForbiddenError,
    ObjectNotFoundError,
    ObjectStorageError,
    PreconditionFailedError,
    RequestTimeoutError,
    ServerError,
    TooManyRequestsError,
    UnauthorizedError,
)
from .names import InvalidObjectNameError
from .object import Object, Page

__all__ = [
    "BucketNotFoundError",
    "Client",
    "ConfigurationError",
    "ConnectionFailedError",
    "CredentialsError",
    "DefaultBucketError",
    "ForbiddenError",
    "InvalidObjectNameError",
    "Object",
    "ObjectNotFoundError",
    "ObjectStorageError",
    "Page",
    "PreconditionFailedError",
    "RequestTimeoutError",
    "ServerError",
    "TooManyRequestsError",
    "UnauthorizedError",
]
