"""Errors raised by :class:`storage.Client`.

Replit's SDK defines six error types; they keep their names here so that code written for it
only has to change its import. All of them, and the ones Satchel adds, derive from
:class:`ObjectStorageError`, which says what failed and where.
"""

from __future__ import annotations

__all__ = [
    "BucketNotFoundError",
    "ConfigurationError",
    "ConnectionFailedError",
    "CredentialsError",
    "DefaultBucketError",
    "ForbiddenError",
    "ObjectNotFoundError",
    "ObjectStorageError",
    "PreconditionFailedError",
    "RequestTimeoutError",
    "ServerError",
    "TooManyRequestsError",
    "UnauthorizedError",
]


class ObjectStorageError(Exception):
    """Base of every error the storage library raises.

    Attributes:
        status_code: the HTTP status behind the error, or None when it was not an HTTP answer.
        bucket: the bucket involved, when known.
        object_name: the object involved, when known.
        hint: one line on what to do about it, when there is something to say.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        bucket: str | None = None,
        object_name: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.bucket = bucket
        self.object_name = object_name
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class ObjectNotFoundError(ObjectStorageError):
    """The object does not exist."""


class BucketNotFoundError(ObjectStorageError):
    """The bucket does not exist."""


class DefaultBucketError(ObjectStorageError):
    """No bucket was given and no default bucket could be found."""


class ConfigurationError(DefaultBucketError):
    """The configuration (file or environment) is unusable."""


class ForbiddenError(ObjectStorageError):
    """The credentials are valid but lack permission for this operation (HTTP 403)."""


class TooManyRequestsError(ObjectStorageError):
    """The service is rate-limiting requests (HTTP 429)."""


class UnauthorizedError(ObjectStorageError):
    """The request was not authenticated (HTTP 401)."""


class PreconditionFailedError(ObjectStorageError):
    """The object changed meanwhile: a generation precondition did not hold (HTTP 412)."""


class ServerError(ObjectStorageError):
    """The storage service failed (HTTP 5xx) and retrying did not help, or was not safe."""


class ConnectionFailedError(ObjectStorageError):
    """The storage service could not be reached, or dropped the connection."""


class RequestTimeoutError(ObjectStorageError):
    """The storage service did not answer in time."""


class CredentialsError(ObjectStorageError):
    """Credentials could not be found, loaded or refreshed."""
