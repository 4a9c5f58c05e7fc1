"""Replit's sidecar: the default bucket and identity-pool credentials, as Replit's SDK uses them.

Every request to the sidecar has a short timeout, so off Replit (or with a broken sidecar) the
answer is a quick, clear DefaultBucketError rather than a hang.
"""

from __future__ import annotations

import json
import os
from typing import Any

import requests

from ._errors_map import clean
from .errors import DefaultBucketError

__all__ = ["SIDECAR_TIMEOUT", "credentials", "default_bucket", "on_replit"]

#: Seconds for any one sidecar request.
SIDECAR_TIMEOUT = 2.0


def on_replit() -> bool:
    """True inside a Replit App or Deployment (by its environment)."""
    return bool(os.environ.get("REPL_ID") or os.environ.get("REPLIT_DEPLOYMENT"))


def default_bucket(sidecar: str, timeout: float = SIDECAR_TIMEOUT) -> str:
    """The App's default bucket from ``GET <sidecar>/object-storage/default-bucket``."""
    url = f"{sidecar}/object-storage/default-bucket"
    try:
        response = requests.get(url, timeout=timeout)
    except requests.Timeout:
        raise DefaultBucketError(
            f"The Replit sidecar at {sidecar} did not answer within {timeout:g} s",
            hint="is this running inside Replit? Otherwise choose a backend (see `satchel info`)",
        ) from None
    except requests.RequestException:
        raise DefaultBucketError(
            f"The Replit sidecar at {sidecar} is not reachable",
            hint=(
                "outside Replit, name a bucket (SATCHEL_BUCKET) or choose a backend, e.g. "
                "SATCHEL_BACKEND=local for the embedded local server"
            ),
        ) from None
    if response.status_code != 200:
        raise DefaultBucketError(
            f"The Replit sidecar answered HTTP {response.status_code} for the default bucket",
            status_code=response.status_code,
            hint="try again; if it persists, configure the bucket in the App's Object Storage pane",
        )
    try:
        body: Any = response.json()
    except (ValueError, json.JSONDecodeError):
        raise DefaultBucketError(
            f"The Replit sidecar's default-bucket answer is not JSON: {clean(response.text, 80)!r}"
        ) from None
    if not isinstance(body, dict):
        raise DefaultBucketError(
            f"The Replit sidecar's default-bucket answer is not a JSON object but {type(body).__name__}"
        )
    bucket = body.get("bucketId")
    if not isinstance(bucket, str) or not bucket:
        raise DefaultBucketError(
            "No default bucket is configured for this Replit App",
            hint="create one in the Object Storage pane, or pass a bucket id",
        )
    return bucket


def credentials(sidecar: str) -> Any:
    """Identity-pool external-account credentials through the sidecar (audience ``replit``).

    google-auth fetches a subject token from ``/credential`` and exchanges it at ``/token``;
    both are on the sidecar. Building them does no I/O.
    """
    from google.auth import identity_pool

    info = {
        "type": "external_account",
        "audience": "replit",
        "subject_token_type": "access_token",
        "token_url": f"{sidecar}/token",
        "credential_source": {
            "url": f"{sidecar}/credential",
            "format": {"type": "json", "subject_token_field_name": "access_token"},
        },
        "universe_domain": "googleapis.com",
    }
    return identity_pool.Credentials.from_info(info)  # type: ignore[no-untyped-call]
