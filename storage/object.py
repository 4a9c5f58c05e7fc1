"""The values the Client returns."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["Object", "Page"]


@dataclass(frozen=True)
class Object:
    """An object in a bucket.

    Only ``name`` takes part in equality and hashing, as in Replit's SDK where ``Object`` has
    nothing else: ``Object(name="a") == client.list()[0]`` holds. The other fields are filled
    when the listing or ``stat`` returned them, and are None otherwise.
    """

    name: str
    size: int | None = field(default=None, compare=False)
    content_type: str | None = field(default=None, compare=False)
    updated: datetime | None = field(default=None, compare=False)
    md5_hash: str | None = field(default=None, compare=False)
    crc32c: str | None = field(default=None, compare=False)
    generation: int | None = field(default=None, compare=False)
    etag: str | None = field(default=None, compare=False)

    @classmethod
    def from_blob(cls, blob: Any) -> Object:
        """Build from a google-cloud-storage ``Blob`` (its metadata as the server returned it)."""
        props = getattr(blob, "_properties", None)
        if isinstance(props, dict):
            # The raw JSON resource: several times faster than the Blob's parsing properties,
            # which matters for listings of many thousands of objects.
            try:
                return cls(
                    name=blob.name,
                    size=_int(props.get("size")),
                    content_type=props.get("contentType"),
                    updated=_time(props.get("updated")),
                    md5_hash=props.get("md5Hash"),
                    crc32c=props.get("crc32c"),
                    generation=_int(props.get("generation")),
                    etag=props.get("etag"),
                )
            except (TypeError, ValueError):
                pass  # something unusual: let google-cloud-storage parse it
        return cls(
            name=blob.name,
            size=blob.size,
            content_type=blob.content_type,
            updated=blob.updated,
            md5_hash=blob.md5_hash,
            crc32c=blob.crc32c,
            generation=blob.generation,
            etag=blob.etag,
        )

    def replace(self, **changes: Any) -> Object:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Page:
    """One page of a one-level listing.

    ``objects`` are the objects directly under the prefix, ``prefixes`` the sub-prefixes
    (each ending with the delimiter), sorted. ``next_page_token`` is None on the last page.
    """

    objects: list[Object]
    prefixes: list[str]
    next_page_token: str | None


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _time(value: Any) -> datetime | None:
    """RFC 3339 as GCS sends it (``2026-01-02T03:04:05.678Z``), timezone-aware."""
    if value is None:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
