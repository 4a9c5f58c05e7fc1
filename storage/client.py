"""``storage.Client``: Replit's Object Storage API over google-cloud-storage, made safer."""

from __future__ import annotations

import builtins
import codecs
import contextlib
import email.message
import mimetypes
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import IO, Any, BinaryIO, Union

from google.api_core import exceptions as api_exceptions
from google.api_core.retry import Retry
from google.cloud.storage.retry import DEFAULT_RETRY

from . import errors
from ._errors_map import translate
from .backends import Connection, connect
from .names import compile_glob, glob_matches, validate_name
from .object import Object, Page

__all__ = ["Client"]

Progress = Callable[[int], None]

#: Resumable uploads send the file in chunks of this size, so memory stays bounded.
UPLOAD_CHUNK_SIZE = 16 * 1024 * 1024
#: Files up to this size go in one multipart request.
SINGLE_REQUEST_MAX = 8 * 1024 * 1024

OCTET_STREAM = "application/octet-stream"
TEXT_PLAIN = "text/plain; charset=utf-8"


class _CountingReader:
    """A read-only file wrapper that reports how many bytes were read so far."""

    def __init__(self, raw: IO[bytes], progress: Progress) -> None:
        self._raw = raw
        self._progress = progress
        self._done = 0
        self._start = self._tell()

    def _tell(self) -> int | None:
        try:
            return self._raw.tell()
        except (OSError, AttributeError, ValueError):
            return None

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._done += len(data)
        position = self._tell()
        # A retried chunk seeks back and is read again: report where we are, not the total read.
        if self._start is not None and position is not None:
            self._done = position - self._start
        self._progress(self._done)
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class _PipeReader:
    """A non-seekable stream (a pipe, stdin) with the ``tell()`` a resumable upload needs."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._position = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._position += len(data)
        return data

    def tell(self) -> int:
        return self._position

    def seekable(self) -> bool:
        return False


class _CountingWriter:
    """A write-only file wrapper that reports how many bytes were written so far."""

    def __init__(self, raw: IO[bytes], progress: Progress) -> None:
        self._raw = raw
        self._progress = progress
        self._done = 0

    def write(self, data: bytes) -> int:
        written = self._raw.write(data)
        self._done += len(data)
        self._progress(self._done)
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class Client:
    """Manages the objects of one bucket.

    A drop-in for Replit's ``replit.object_storage.Client``: the same ten methods with the
    same parameters. Constructing it does no I/O; the bucket (and, when ``bucket_id`` is
    None or ``""``, the default bucket) is resolved on first use, cached on success and
    retried after a failure.

    Keyword-only settings:
        endpoint: a GCS-compatible endpoint such as ``http://127.0.0.1:4443``.
        backend: ``"gcs"``, ``"replit"``, ``"local"`` or ``"emulator"``; see the README.
        timeout: seconds to wait for each HTTP request to connect or answer.
        retry_deadline: seconds to keep retrying a transient failure (429, 5xx, a dropped
            connection) where retrying is safe: reads, and writes with a generation
            precondition.
    """

    def __init__(
        self,
        bucket_id: str | None = None,
        *,
        endpoint: str | None = None,
        backend: str | None = None,
        timeout: float = 10.0,
        retry_deadline: float = 20.0,
    ) -> None:
        if timeout <= 0 or retry_deadline < 0:
            raise ValueError("timeout must be positive and retry_deadline not negative")
        self._bucket_id = bucket_id or None
        self._endpoint = endpoint
        self._backend = backend
        self.timeout = float(timeout)
        self.retry_deadline = float(retry_deadline)
        self._lock = threading.Lock()
        self._conn: Connection | None = None
        # retry_deadline=0 means no retries at all (google's media retry loop would still try
        # a second time with a zero deadline).
        self._retry: Retry | None = (
            DEFAULT_RETRY.with_timeout(self.retry_deadline).with_delay(
                initial=0.25, maximum=4.0, multiplier=2.0
            )
            if self.retry_deadline > 0
            else None
        )

    def __repr__(self) -> str:
        # No I/O and no resolution: safe to call anywhere, even when nothing is configured.
        parts = [repr(self._bucket_id)]
        if self._endpoint:
            parts.append(f"endpoint={self._endpoint!r}")
        if self._backend:
            parts.append(f"backend={self._backend!r}")
        return f"Client({', '.join(parts)})"

    # ------------------------------------------------------------------ connection
    def _connection(self) -> Connection:
        conn = self._conn
        if conn is not None:
            return conn
        with self._lock:
            if self._conn is None:
                try:
                    self._conn = connect(
                        self._bucket_id,
                        endpoint=self._endpoint,
                        backend=self._backend,
                        timeout=self.timeout,
                    )
                except Exception as exc:
                    # Finding credentials or the default bucket can fail in google-auth or
                    # requests; callers only ever see our errors. Nothing is cached: the next
                    # call tries again.
                    mapped = translate(
                        exc,
                        bucket=self._bucket_id,
                        object_name=None,
                        endpoint=self._endpoint,
                        retry_deadline=self.retry_deadline,
                    )
                    if mapped is None or mapped is exc:
                        raise
                    raise mapped from exc
                _no_background_requests(self._conn.gcs)
            return self._conn

    @property
    def bucket_name(self) -> str:
        """The bucket this Client works on (resolving the default bucket if needed)."""
        return self._connection().bucket_name

    @property
    def backend(self) -> str:
        return self._connection().backend

    @property
    def endpoint(self) -> str | None:
        return self._connection().endpoint

    def describe(self) -> dict[str, str | None]:
        """What this Client is connected to, for humans (never a secret)."""
        return self._connection().describe()

    def _name(self, name: str) -> str:
        validate_name(name)
        conn = self._connection()
        if conn.filesystem_names:
            validate_name(name, filesystem=True)
        return name

    def _bucket(self) -> Any:
        return self._connection().bucket

    def _bucket_missing(self) -> bool:
        """Ask the server whether the bucket exists (only after a 404)."""
        try:
            return not self._bucket().exists(timeout=self.timeout, retry=self._retry)
        except Exception:  # noqa: BLE001 - we only refine an error already being raised
            return False

    def _no_bucket(self, object_name: str | None) -> errors.BucketNotFoundError:
        return errors.BucketNotFoundError(
            f"No such bucket: {self.bucket_name}",
            status_code=404,
            bucket=self.bucket_name,
            object_name=object_name,
            hint="check the bucket name",
        )

    @contextlib.contextmanager
    def _errors(self, object_name: str | None) -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            conn = self._conn
            mapped = translate(
                exc,
                bucket=conn.bucket_name if conn else self._bucket_id,
                object_name=object_name,
                endpoint=conn.endpoint if conn else self._endpoint,
                retry_deadline=self.retry_deadline,
                bucket_missing=self._bucket_missing,
            )
            if mapped is None or mapped is exc:
                raise
            raise mapped from exc

    def _write_retry(self, if_generation_match: int | None) -> Retry | None:
        # A write is retried only when a precondition makes a repeat harmless.
        return self._retry if if_generation_match is not None else None

    def _check_generation(self, name: str, expected: int, *, missing_ok: bool = True) -> None:
        """Enforce ``if_generation_match`` ourselves before a write.

        GCS checks the precondition on the server; the local fake-gcs-server ignores it on
        delete, on copy onto an existing object and on resumable uploads. Checking here too
        makes a stale generation fail the same way everywhere (on GCS the server's own
        check still closes the window between this read and the write).
        """
        with self._errors(name):
            blob = self._bucket().get_blob(name, timeout=self.timeout, retry=self._retry)
        if blob is None:
            if self._bucket_missing():
                raise self._no_bucket(name)
            if not missing_ok:
                return  # let the write itself report the missing object
            current = 0
        else:
            current = int(blob.generation or 0)
        if current != expected:
            bucket = self.bucket_name
            now = "does not exist" if current == 0 else f"is at generation {current}"
            raise errors.PreconditionFailedError(
                f"{name} in bucket {bucket} changed meanwhile: it {now}, "
                f"expected generation {expected}",
                status_code=412,
                bucket=bucket,
                object_name=name,
                hint="reload it and try again",
            )

    # ------------------------------------------------------------------ Replit's API
    def copy(
        self, object_name: str, dest_object_name: str, *, if_generation_match: int | None = None
    ) -> None:
        """Copy an object within the bucket, overwriting the destination if it exists.

        ``if_generation_match`` is a precondition on the destination (0: it must not exist).

        Raises:
            ObjectNotFoundError: the source object does not exist.
        """
        self._name(object_name)
        self._name(dest_object_name)
        bucket = self._bucket()
        source = bucket.blob(object_name)
        dest = bucket.blob(dest_object_name)
        if if_generation_match is not None:
            self._check_generation(dest_object_name, if_generation_match)
        with self._errors(object_name):
            token: str | None = None
            while True:
                token, _, _ = dest.rewrite(
                    source,
                    token=token,
                    if_generation_match=if_generation_match,
                    timeout=self.timeout,
                    retry=self._write_retry(if_generation_match),
                )
                if token is None:
                    break

    def delete(
        self,
        object_name: str,
        ignore_not_found: bool = False,
        *,
        if_generation_match: int | None = None,
    ) -> None:
        """Delete an object permanently.

        Raises:
            ObjectNotFoundError: it does not exist (unless ``ignore_not_found``).
            BucketNotFoundError: the bucket does not exist (even with ``ignore_not_found``).
        """
        self._name(object_name)
        try:
            if if_generation_match is not None:
                self._check_generation(object_name, if_generation_match, missing_ok=False)
            with self._errors(object_name):
                self._bucket().blob(object_name).delete(
                    if_generation_match=if_generation_match,
                    timeout=self.timeout,
                    retry=self._write_retry(if_generation_match),
                )
        except errors.ObjectNotFoundError:
            if not ignore_not_found:
                raise

    def download_as_bytes(self, object_name: str) -> bytes:
        """The object's contents as bytes. Raises ObjectNotFoundError if it does not exist."""
        self._name(object_name)
        with self._errors(object_name):
            data: bytes = (
                self._bucket()
                .blob(object_name)
                .download_as_bytes(timeout=self.timeout, retry=self._retry)
            )
            return data

    def download_as_text(self, object_name: str) -> str:
        """The object's contents as text, decoded with the charset of its Content-Type, else UTF-8."""
        self._name(object_name)
        with self._errors(object_name):
            blob = self._bucket().blob(object_name)
            data: bytes = blob.download_as_bytes(timeout=self.timeout, retry=self._retry)
        # The download fills in the Content-Type the server sent with the data.
        return data.decode(_charset(blob.content_type))

    def download_to_filename(
        self, object_name: str, dest_filename: str, *, progress: Progress | None = None
    ) -> None:
        """Download an object into a local file, atomically.

        The data goes to a temporary file beside ``dest_filename`` that is renamed into place
        once complete and verified. On any error the destination is left exactly as it was.

        Raises:
            ObjectNotFoundError: the object does not exist.
            FileNotFoundError: the destination's directory does not exist.
            IsADirectoryError: the destination is a directory.
        """
        self._name(object_name)
        dest = os.fspath(dest_filename)
        parent = os.path.dirname(os.path.abspath(dest))
        if not os.path.isdir(parent):
            raise FileNotFoundError(f"Destination directory does not exist: {parent}")
        if os.path.isdir(dest):
            raise IsADirectoryError(f"Destination is a directory: {dest}")
        fd, tmp = tempfile.mkstemp(
            dir=parent, prefix=f".{os.path.basename(dest)[:100]}.", suffix=".partial"
        )
        try:
            with os.fdopen(fd, "wb") as fh:
                self.download_to_file(object_name, fh, progress=progress)
                fh.flush()
                if os.path.exists(dest):
                    # Replacing a file: make the new data durable before the rename, so a
                    # crash cannot leave an empty file where the old one was.
                    os.fsync(fh.fileno())
            _copy_mode(dest, tmp)
            os.replace(tmp, dest)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def exists(self, object_name: str) -> bool:
        """True if the object exists. A missing bucket raises BucketNotFoundError."""
        self._name(object_name)
        with self._errors(object_name):
            found: bool = (
                self._bucket().blob(object_name).exists(timeout=self.timeout, retry=self._retry)
            )
        if not found and self._bucket_missing():
            raise self._no_bucket(object_name)
        return found

    def list(
        self,
        end_offset: str | None = None,
        match_glob: str | None = None,
        max_results: int | None = None,
        prefix: str | None = None,
        start_offset: str | None = None,
    ) -> builtins.list[Object]:
        """Objects in the bucket, in lexicographic order, as a complete list.

        ``match_glob`` follows GCS's semantics on every server (see the README).
        """
        if max_results is not None and max_results <= 0:
            return []
        found: builtins.list[Object] = []
        for obj in self.iter_objects(
            prefix=prefix,
            match_glob=match_glob,
            start_offset=start_offset,
            end_offset=end_offset,
            # The server's own page size otherwise (GCS: 1,000): some servers pay for every
            # page with a scan of the whole bucket. A server that ignores match_glob returns
            # everything, so with a glob a small max_results must not shrink the pages.
            page_size=min(max_results, 1000) if max_results and match_glob is None else None,
        ):
            found.append(obj)
            if max_results is not None and len(found) >= max_results:
                break
        return found

    def upload_from_filename(
        self,
        dest_object_name: str,
        src_filename: str,
        *,
        content_type: str | None = None,
        if_generation_match: int | None = None,
        progress: Progress | None = None,
    ) -> None:
        """Upload a local file, streamed in chunks. The content type is guessed from the name."""
        self._name(dest_object_name)
        src = os.fspath(src_filename)
        if content_type is None:
            content_type = mimetypes.guess_type(src)[0] or OCTET_STREAM
        with open(src, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            self.upload_from_file(
                dest_object_name,
                fh,
                size=size,
                content_type=content_type,
                if_generation_match=if_generation_match,
                progress=progress,
            )

    def upload_from_bytes(
        self,
        dest_object_name: str,
        src_data: bytes,
        *,
        content_type: str | None = None,
        if_generation_match: int | None = None,
    ) -> None:
        """Upload bytes, stored as ``application/octet-stream`` unless told otherwise."""
        if not isinstance(src_data, (bytes, bytearray, memoryview)):
            raise TypeError(f"src_data must be bytes, not {type(src_data).__name__}")
        self._upload_string(
            dest_object_name, bytes(src_data), content_type or OCTET_STREAM, if_generation_match
        )

    def upload_from_text(
        self,
        dest_object_name: str,
        src_data: Union[bytes, str],  # noqa: UP007 - the reference's own spelling
        *,
        content_type: str | None = None,
        if_generation_match: int | None = None,
    ) -> None:
        """Upload text (``str`` is encoded as UTF-8), stored as ``text/plain; charset=utf-8``."""
        if isinstance(src_data, str):
            data = src_data.encode("utf-8")
        elif isinstance(src_data, (bytes, bytearray, memoryview)):
            data = bytes(src_data)
        else:
            raise TypeError(f"src_data must be str or bytes, not {type(src_data).__name__}")
        self._upload_string(dest_object_name, data, content_type or TEXT_PLAIN, if_generation_match)

    def _upload_string(
        self, name: str, data: bytes, content_type: str, if_generation_match: int | None
    ) -> None:
        self._name(name)
        with self._errors(name):
            self._bucket().blob(name).upload_from_string(
                data,
                content_type=content_type,
                if_generation_match=if_generation_match,
                timeout=self.timeout,
                retry=self._write_retry(if_generation_match),
            )

    # ------------------------------------------------------------------ extras
    def list_page(
        self,
        *,
        prefix: str = "",
        delimiter: str | None = "/",
        page_size: int = 1000,
        page_token: str | None = None,
        match_glob: str | None = None,
    ) -> Page:
        """One page of a one-level listing: the objects and sub-prefixes under ``prefix``.

        Pass the returned ``next_page_token`` back to get the next page. With ``match_glob``
        a page may hold fewer objects than ``page_size`` (even none) and still have a next one.
        """
        if match_glob is not None:
            compile_glob(match_glob)  # a malformed pattern fails here, before any request
        with self._errors(None):
            iterator = self._bucket().list_blobs(
                prefix=prefix or None,
                delimiter=delimiter,
                page_size=page_size,
                page_token=page_token,
                match_glob=match_glob,
                timeout=self.timeout,
                retry=self._retry,
            )
            page = next(iterator.pages, None)
            blobs = builtins.list(page) if page is not None else []
            prefixes = sorted(page.prefixes) if page is not None else []
            token = iterator.next_page_token
        objects = [Object.from_blob(b) for b in blobs]
        if match_glob is not None:
            objects = [o for o in objects if glob_matches(match_glob, o.name)]
        return Page(objects=objects, prefixes=prefixes, next_page_token=token)

    def iter_objects(
        self,
        *,
        prefix: str | None = None,
        match_glob: str | None = None,
        start_offset: str | None = None,
        end_offset: str | None = None,
        page_size: int | None = 1000,
    ) -> Iterator[Object]:
        """Every matching object, streamed page by page in lexicographic order."""
        if match_glob is not None:
            compile_glob(match_glob)  # a malformed pattern fails here, before any request
        with self._errors(None):
            iterator = self._bucket().list_blobs(
                prefix=prefix or None,
                match_glob=match_glob,
                start_offset=start_offset,
                end_offset=end_offset,
                page_size=page_size,
                timeout=self.timeout,
                retry=self._retry,
            )
            for blob in iterator:
                if match_glob is not None and not glob_matches(match_glob, blob.name):
                    continue
                yield Object.from_blob(blob)

    def stat(self, name: str) -> Object:
        """The object's metadata. Raises ObjectNotFoundError if it does not exist."""
        self._name(name)
        with self._errors(name):
            blob = self._bucket().get_blob(name, timeout=self.timeout, retry=self._retry)
            if blob is None:
                raise api_exceptions.NotFound(f"No such object: {name}")  # type: ignore[no-untyped-call]
            return Object.from_blob(blob)

    def read_range(self, name: str, start: int = 0, end: int | None = None) -> bytes:
        """Bytes ``[start, end)`` of the object, like slicing; past the end gives fewer bytes.

        A negative ``start`` gives the last ``-start`` bytes (``end`` must then be None).
        """
        self._name(name)
        if start < 0:
            if end is not None:
                raise ValueError("end must be None when start is negative")
            size = self.stat(name).size or 0
            start = max(0, size + start)
        if end is not None and end <= start:
            return b""
        with self._errors(name):
            try:
                data: bytes = (
                    self._bucket()
                    .blob(name)
                    .download_as_bytes(
                        start=start,
                        end=None if end is None else end - 1,
                        raw_download=True,
                        checksum=None,
                        timeout=self.timeout,
                        retry=self._retry,
                    )
                )
            except api_exceptions.GoogleAPICallError as exc:
                if exc.code == 416:  # start at or past the end
                    return b""
                raise
            return data

    def signed_url(self, name: str, *, expires: timedelta = timedelta(hours=1)) -> str:
        """A V4 signed URL to GET the object until ``expires`` from now.

        Needs credentials that can sign (a service-account key). Raises CredentialsError with
        the reason otherwise: the local server and emulators have no keys, and user or
        token-only credentials cannot sign.
        """
        self._name(name)
        conn = self._connection()
        if conn.backend in ("local", "emulator"):
            raise errors.CredentialsError(
                f"Cannot sign a URL on the {conn.backend} backend: it has no signing keys",
                bucket=conn.bucket_name,
                object_name=name,
                hint="signed URLs need Google Cloud Storage with a service-account key",
            )
        try:
            url: str = conn.bucket.blob(name).generate_signed_url(
                version="v4", expiration=expires, method="GET"
            )
        except (AttributeError, TypeError, ValueError) as exc:
            raise errors.CredentialsError(
                f"These credentials cannot sign URLs ({conn.credentials_source})",
                bucket=conn.bucket_name,
                object_name=name,
                hint="use a service-account key (GOOGLE_APPLICATION_CREDENTIALS)",
            ) from exc
        return url

    def download_to_file(
        self, name: str, fileobj: BinaryIO, *, progress: Progress | None = None
    ) -> None:
        """Stream the object into an open binary file, checksum-verified."""
        self._name(name)
        target: Any = _CountingWriter(fileobj, progress) if progress else fileobj
        with self._errors(name):
            self._bucket().blob(name).download_to_file(
                target, timeout=self.timeout, retry=self._retry
            )

    def upload_from_file(
        self,
        name: str,
        fileobj: BinaryIO,
        *,
        size: int | None = None,
        content_type: str | None = None,
        if_generation_match: int | None = None,
        progress: Progress | None = None,
    ) -> None:
        """Stream an open binary file into an object, in bounded-size chunks."""
        self._name(name)
        source: Any = fileobj
        if not _seekable(fileobj):
            source = _PipeReader(fileobj)
            size = None  # whatever was claimed, a pipe's end is found by reading it
        if progress:
            source = _CountingReader(source, progress)
        resumable = size is None or size > SINGLE_REQUEST_MAX
        if resumable and if_generation_match is not None:
            # The local server ignores preconditions on resumable uploads.
            self._check_generation(name, if_generation_match)
        with self._errors(name):
            blob = self._bucket().blob(name)
            if resumable:
                blob.chunk_size = UPLOAD_CHUNK_SIZE
            blob.upload_from_file(
                source,
                size=size,
                content_type=content_type or OCTET_STREAM,
                if_generation_match=if_generation_match,
                timeout=self.timeout,
                retry=self._write_retry(if_generation_match),
            )


def _seekable(fileobj: Any) -> bool:
    try:
        return bool(fileobj.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _charset(content_type: str | None) -> str:
    """The charset named in a Content-Type, if Python knows it, else UTF-8."""
    if content_type:
        message = email.message.Message()
        message["Content-Type"] = content_type
        charset = message.get_content_charset()
        if charset:
            try:
                return codecs.lookup(charset).name
            except LookupError:
                pass  # an unknown charset: UTF-8, as when none is given
    return "utf-8"


def _no_background_requests(gcs: Any) -> None:
    """Stop google-cloud-storage (3.17+) from fetching bucket metadata in background threads.

    For tracing attributes it fetches each bucket's metadata on first use, in a daemon thread,
    with its own 120 s retry: an extra request we never asked for, retried against a dead
    server long after our call gave up. Every use of the cache checks for None.
    """
    if getattr(gcs, "_bucket_metadata_cache", None) is not None:
        gcs._bucket_metadata_cache = None


def _read_umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    # Elsewhere: set-and-restore, once, at import (under the import lock), never per call:
    # os.umask is process-global, so doing it per download would race with other threads.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def _copy_mode(existing: str, tmp: str) -> None:
    """Give the new file the old one's permissions, or what a new file would get."""
    try:
        mode = os.stat(existing).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_UMASK
    os.chmod(tmp, mode)
