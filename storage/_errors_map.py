"""Turn google-cloud-storage, google-auth and requests exceptions into our own errors.

Every public Client method goes through :func:`translate`, so no raw library exception (and
no ``RetryError``) ever reaches a caller.
"""

from __future__ import annotations

import http.client
import re
from collections.abc import Callable
from typing import TypedDict

import requests
from google.api_core import exceptions as api_exceptions
from google.auth import exceptions as auth_exceptions

from . import errors

try:  # google-resumable-media moved into google-cloud-storage in 3.x
    from google.cloud.storage.exceptions import DataCorruption, InvalidResponse
except ImportError:  # pragma: no cover - older google-cloud-storage
    from google.resumable_media.common import (
        DataCorruption,
        InvalidResponse,
    )


class _Where(TypedDict):
    status_code: int | None
    bucket: str | None
    object_name: str | None


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean(text: object, limit: int = 300) -> str:
    """A server's words, made safe to print on one line: no control characters, bounded."""
    flat = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text).strip())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _server_message(exc: api_exceptions.GoogleAPICallError) -> str:
    message = getattr(exc, "message", "") or ""
    # google-api-core prefixes the method and URL; keep only what the server said.
    _, _, tail = message.partition(": ")
    return clean(tail or message)


def _where(bucket: str | None, object_name: str | None) -> str:
    if object_name is not None and bucket:
        return f"{object_name} in bucket {bucket}"
    if object_name is not None:
        return object_name
    if bucket:
        return f"bucket {bucket}"
    return "storage"


def from_status(
    status: int | None,
    *,
    bucket: str | None,
    object_name: str | None,
    detail: str = "",
    bucket_missing: Callable[[], bool] | None = None,
) -> errors.ObjectStorageError:
    """Build the error for an HTTP status answered by the server."""
    where = _where(bucket, object_name)
    kw = _Where(status_code=status, bucket=bucket, object_name=object_name)
    suffix = f": {detail}" if detail else ""
    if status == 404:
        if object_name is None or (bucket_missing is not None and bucket_missing()):
            return errors.BucketNotFoundError(
                f"No such bucket: {bucket}", hint="check the bucket name", **kw
            )
        return errors.ObjectNotFoundError(f"No such object: {where}", **kw)
    if status == 401:
        return errors.UnauthorizedError(
            f"Not authenticated for {where}{suffix}",
            hint="the credentials are missing, expired or not accepted",
            **kw,
        )
    if status == 403:
        return errors.ForbiddenError(
            f"Permission denied for {where}{suffix}",
            hint="the credentials lack permission for this operation",
            **kw,
        )
    if status == 429:
        return errors.TooManyRequestsError(
            f"Rate limited on {where}", hint="slow down and try again", **kw
        )
    if status == 412:
        return errors.PreconditionFailedError(
            f"{where} changed meanwhile (precondition failed)",
            hint="reload it and try again",
            **kw,
        )
    if status is not None and status >= 500:
        return errors.ServerError(
            f"Storage server error {status} on {where}{suffix}",
            hint="the service failed; try again later",
            **kw,
        )
    return errors.ObjectStorageError(f"Request for {where} failed with HTTP {status}{suffix}", **kw)


def translate(
    exc: BaseException,
    *,
    bucket: str | None,
    object_name: str | None,
    endpoint: str | None,
    retry_deadline: float | None = None,
    bucket_missing: Callable[[], bool] | None = None,
) -> errors.ObjectStorageError | None:
    """Our error for ``exc``, or None when ``exc`` is not a storage failure (a bug, a KeyboardInterrupt...)."""
    if isinstance(exc, errors.ObjectStorageError):
        return exc
    where = _where(bucket, object_name)
    kw = _Where(status_code=None, bucket=bucket, object_name=object_name)
    server = endpoint or "the storage service"

    if isinstance(exc, api_exceptions.RetryError):
        cause = exc.cause
        inner = (
            translate(
                cause,
                bucket=bucket,
                object_name=object_name,
                endpoint=endpoint,
                bucket_missing=bucket_missing,
            )
            if cause is not None
            else None
        )
        gave_up = (
            f"gave up after {retry_deadline:g} s of retries"
            if retry_deadline
            else "retries exhausted"
        )
        if inner is None:
            return errors.ConnectionFailedError(
                f"Could not complete the request for {where}: {gave_up}", **kw
            )
        inner.hint = f"{gave_up}; {inner.hint}" if inner.hint else gave_up
        return inner

    if isinstance(exc, api_exceptions.GoogleAPICallError):
        return from_status(
            exc.code,
            bucket=bucket,
            object_name=object_name,
            detail=_server_message(exc),
            bucket_missing=bucket_missing,
        )
    if isinstance(exc, InvalidResponse):
        status = getattr(getattr(exc, "response", None), "status_code", None)
        return from_status(
            status, bucket=bucket, object_name=object_name, bucket_missing=bucket_missing
        )
    if isinstance(exc, DataCorruption):
        return errors.ServerError(
            f"Download of {where} failed its checksum: the data was corrupted in transit",
            hint="nothing was written; try again",
            **kw,
        )

    if isinstance(exc, auth_exceptions.InvalidOperation):
        # Anonymous credentials answer a 401 by trying to refresh themselves, and fail.
        return errors.UnauthorizedError(
            f"Not authenticated for {where}",
            hint="the server wants credentials; anonymous access was refused",
            status_code=401,
            bucket=bucket,
            object_name=object_name,
        )
    if isinstance(exc, auth_exceptions.TransportError):
        return errors.CredentialsError(
            f"Could not reach the credentials service: {clean(exc)}",
            hint="check the network, or the Replit sidecar",
            **kw,
        )
    if isinstance(exc, auth_exceptions.DefaultCredentialsError):
        return errors.CredentialsError(
            "No Google credentials found",
            hint="run `gcloud auth application-default login`, or choose the local backend",
            **kw,
        )
    if isinstance(exc, auth_exceptions.GoogleAuthError):
        return errors.CredentialsError(
            f"Credentials failed: {clean(exc)}",
            hint="refresh or replace the credentials",
            **kw,
        )

    if isinstance(exc, requests.exceptions.Timeout):
        return errors.RequestTimeoutError(
            f"{server} did not answer in time for {where}",
            hint="the server is slow or stuck; the timeout is configurable on the Client",
            **kw,
        )
    if isinstance(
        exc,
        (
            requests.exceptions.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            http.client.HTTPException,
            ConnectionError,
        ),
    ):
        return errors.ConnectionFailedError(
            f"Lost or could not open the connection to {server} for {where}",
            hint="is the server running and reachable?",
            **kw,
        )
    if isinstance(exc, requests.exceptions.RequestException):
        return errors.ConnectionFailedError(
            f"Request to {server} for {where} failed: {clean(exc)}", **kw
        )
    return None
