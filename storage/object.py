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
