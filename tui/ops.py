"""The browser's storage operations: plain functions that the app runs in thread workers.

Each long operation takes a :class:`Progress` (which also carries the cancel flag) and checks it
between objects and inside byte transfers, so a cancelled transfer stops promptly. Nothing here
imports Textual: these functions are tested through the app, but could run anywhere.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from storage import Client, Object
from storage.names import validate_name

__all__ = [
    "Cancelled",
    "Progress",
    "copy_pairs",
    "count_prefix",
    "delete_names",
    "download_items",
    "existing_names",
    "move_pairs",
    "plan_download",
    "plan_upload",
    "safe_local_path",
    "upload_items",
]


class Cancelled(Exception):
    """The user cancelled the transfer."""


@dataclass
class Progress:
    """Where an operation reports how far it got, and learns whether it was cancelled.

    ``report(done)`` is called with the amount done so far, in the unit of ``total`` (bytes
    for uploads and downloads, objects for copy, move and delete).
    """

    total: int
    report: Callable[[int], None] = field(default=lambda done: None)
    cancel: threading.Event = field(default_factory=threading.Event)
    done: int = 0

    def check(self) -> None:
        if self.cancel.is_set():
            raise Cancelled("cancelled")

    def advance(self, amount: int) -> None:
        self.check()
        self.done += amount
        self.report(self.done)

    def bytes_callback(self) -> Callable[[int], None]:
        """A per-file byte callback (as the Client's ``progress=``) adding to the total."""
        base = self.done

        def callback(file_done: int) -> None:
            self.check()
            self.done = base + file_done
            self.report(self.done)

        return callback


# ---------------------------------------------------------------------------- listing
def count_prefix(client: Client, prefix: str) -> tuple[int, int]:
    """How many objects are under ``prefix`` (recursively), and their total size."""
    count = size = 0
    for obj in client.iter_objects(prefix=prefix):
        count += 1
        size += obj.size or 0
    return count, size


def list_recursive(client: Client, prefix: str) -> list[Object]:
    return list(client.iter_objects(prefix=prefix))


def existing_names(client: Client, names: Iterable[str]) -> list[str]:
    """Which of ``names`` exist already (one listing per common prefix, not a request each)."""
    wanted = sorted(set(names))
    if not wanted:
        return []
    if len(wanted) == 1:
        return wanted if client.exists(wanted[0]) else []
    common = os.path.commonprefix(wanted)  # noqa: RUF071 - object names, not paths
    found = {o.name for o in client.iter_objects(prefix=common)}
    return [name for name in wanted if name in found]


def rename_under(
    names: Iterable[str], source_prefix: str, dest_prefix: str
) -> list[tuple[str, str]]:
    """(source, destination) pairs mapping everything under one prefix to another."""
    return [(name, dest_prefix + name[len(source_prefix) :]) for name in names]


# ---------------------------------------------------------------------------- upload
@dataclass
class UploadPlan:
    items: list[tuple[Path, str]]
    total_bytes: int
    existing: list[str]

    def without_existing(self) -> UploadPlan:
        """The plan minus the files whose object exists already ("skip existing")."""
        skip = set(self.existing)
        items = [(path, name) for path, name in self.items if name not in skip]
        return UploadPlan(items, sum(path.stat().st_size for path, _ in items), [])


def plan_upload(client: Client, local: Path, dest_prefix: str) -> UploadPlan:
    """The files to upload from ``local`` (a file, or a directory taken recursively) and the
    object names they get under ``dest_prefix``; which of those exist already."""
    local = local.expanduser()
    if local.is_dir():
        items: list[tuple[Path, str]] = []
        for root, dirs, files in os.walk(local):
            dirs.sort()
            for filename in sorted(files):
                path = Path(root) / filename
                if not path.is_file():
                    continue
                relative = path.relative_to(local).as_posix()
                items.append((path, f"{dest_prefix}{local.name}/{relative}"))
    elif local.is_file():
        items = [(local, dest_prefix + local.name)]
    else:
        raise FileNotFoundError(f"No such file or directory: {local}")
    total = sum(path.stat().st_size for path, _ in items)
    return UploadPlan(items, total, existing_names(client, [name for _, name in items]))


def upload_items(client: Client, plan: UploadPlan, progress: Progress) -> int:
    """Upload every file of the plan. Names not in ``plan.existing`` are created with a
    must-not-exist precondition, so a concurrent writer is not overwritten unasked."""
    existing = set(plan.existing)
    for path, name in plan.items:
        progress.check()
        client.upload_from_filename(
            name,
            str(path),
            if_generation_match=None if name in existing else 0,
            progress=progress.bytes_callback(),
        )
        progress.advance(0)
    return len(plan.items)


# ---------------------------------------------------------------------------- copy, move, delete
def copy_pairs(client: Client, pairs: list[tuple[str, str]], progress: Progress) -> int:
    for source, dest in pairs:
        progress.check()
        client.copy(source, dest)
        progress.advance(1)
    return len(pairs)


def _same_content(a: Object, b: Object) -> bool:
    if a.size != b.size:
        return False
    if a.md5_hash and b.md5_hash:
        return a.md5_hash == b.md5_hash
    if a.crc32c and b.crc32c:
        return a.crc32c == b.crc32c
    return False


class VerificationError(Exception):
    """A copy's checksum did not match its source, so the source was kept."""


def move_pairs(client: Client, pairs: list[tuple[str, str]], progress: Progress) -> int:
    """Copy each object, check the copy has the source's size and checksum, then delete the
    source. A source is never deleted before its copy is verified."""
    for source, dest in pairs:
        progress.check()
        before = client.stat(source)
        client.copy(source, dest)
        after = client.stat(dest)
        if not _same_content(before, after):
            raise VerificationError(
                f"the copy {dest} does not match {source}; {source} was not deleted"
            )
        client.delete(source, if_generation_match=before.generation)
        progress.advance(1)
    return len(pairs)


def delete_names(client: Client, names: list[str], progress: Progress) -> int:
    for name in names:
        progress.check()
        client.delete(name, ignore_not_found=True)
        progress.advance(1)
    return len(names)


# ---------------------------------------------------------------------------- download
def safe_local_path(root: Path, relative: str) -> Path:
    """``root / relative`` for an object name, refusing anything that would land outside
    ``root`` (absolute names, ``..`` segments, drive letters, backslash tricks)."""
    parts = relative.replace("\\", "/").split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"refusing to write {relative!r}: it would leave {root}")
    if any(":" in p and os.name == "nt" for p in parts):
        raise ValueError(f"refusing to write {relative!r}: not a portable file name")
    base = root.resolve()
    target = base.joinpath(*parts).resolve()
    if target != base and base not in target.parents:
        raise ValueError(f"refusing to write {relative!r}: it would leave {root}")
    return target


@dataclass
class DownloadPlan:
    items: list[tuple[str, Path]]
    total_bytes: int
    existing: list[Path]
    skipped: list[str]
    sizes: dict[str, int] = field(default_factory=dict)

    def without_existing(self) -> DownloadPlan:
        """The plan minus the objects whose local file exists already ("skip existing")."""
        skip = set(self.existing)
        items = [(name, path) for name, path in self.items if path not in skip]
        total = sum(self.sizes.get(name, 0) for name, _ in items)
        return DownloadPlan(items, total, [], self.skipped, self.sizes)


def plan_download(
    client: Client,
    objects: list[Object],
    root: Path,
    relative: Callable[[str], str],
    single_file: bool,
) -> DownloadPlan:
    """Where each object goes. ``single_file``: one object to exactly ``root`` (a file path).
    Otherwise each object goes under the directory ``root`` at ``relative(name)``. Names that
    would escape ``root`` are skipped and listed."""
    items: list[tuple[str, Path]] = []
    skipped: list[str] = []
    if single_file:
        items.append((objects[0].name, root))
    else:
        for obj in objects:
            rel = relative(obj.name)
            if not rel or rel.endswith("/"):  # a "folder marker" object: nothing to write
                skipped.append(obj.name)
                continue
            try:
                validate_name(obj.name)  # a name the Client refuses cannot be downloaded
            except ValueError:
                skipped.append(obj.name)
                continue
            try:
                items.append((obj.name, safe_local_path(root, rel)))
            except ValueError:
                skipped.append(obj.name)
    sizes = {obj.name: obj.size or 0 for obj in objects if obj.name not in skipped}
    existing = [path for _, path in items if path.exists()]
    return DownloadPlan(items, sum(sizes.values()), existing, skipped, sizes)


def download_items(client: Client, plan: DownloadPlan, progress: Progress) -> int:
    """Download each object atomically (the Client writes a temporary file, then renames)."""
    for name, path in plan.items:
        progress.check()
        path.parent.mkdir(parents=True, exist_ok=True)
        client.download_to_filename(name, str(path), progress=progress.bytes_callback())
    return len(plan.items)
