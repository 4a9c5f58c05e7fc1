"""`satchel`: the bucket browser, and gcloud-storage-style commands for scripts and shells.

Kept light to import: Textual is loaded only when the browser opens.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, NoReturn

import click

from storage import Client, Object
from storage.errors import ObjectStorageError

__all__ = ["main"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
CHUNK = 8 * 1024 * 1024


def shown(text: str) -> str:
    """A name made safe to print: control and bidi characters as visible escapes."""
    return _CONTROL.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"satchel: error: {shown(message)}", err=True)
    sys.exit(code)


def warn(message: str) -> None:
    click.echo(f"satchel: warning: {shown(message)}", err=True)


@dataclass
class Options:
    bucket: str | None
    endpoint: str | None
    backend: str | None
    read_only: bool
    _clients: dict[str | None, Client]

    def client(self, bucket: str | None = None) -> Client:
        """A Client for ``bucket`` (from a gs:// URI) or the configured one."""
        key = bucket or self.bucket
        if key not in self._clients:
            from storage.backends import default_backend_for_tools

            backend = self.backend or default_backend_for_tools(key, self.endpoint, self.backend)
            self._clients[key] = Client(key, endpoint=self.endpoint, backend=backend)
        return self._clients[key]


def split_uri(value: str) -> tuple[str | None, str]:
    """``gs://bucket/path`` -> (bucket, path); a bare path -> (None, path)."""
    if value.startswith("gs://"):
        rest = value[len("gs://") :]
        bucket, _, path = rest.partition("/")
        if not bucket:
            raise click.BadParameter(f"{value!r} names no bucket")
        return bucket, path
    return None, value


@contextmanager
def errors_as_exit() -> Iterator[None]:
    """Operation errors: one line on stderr, exit 1, never a traceback."""
    try:
        yield
    except ObjectStorageError as exc:
        fail(str(exc))
    except (OSError, ValueError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted", 130)


@contextmanager
def reporter(total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on a terminal (on stderr), fed with "done so far" counts; None in pipes."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=max(total, 1), label=shown(label)[:40], file=sys.stderr) as bar:
        last = [0]

        def report(done: int) -> None:
            if bar.length is not None and done > bar.length:
                bar.length = done
            bar.update(done - last[0])
            last[0] = done

        yield report


def _human(size: int | None) -> str:
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return str(size)  # pragma: no cover


def object_record(obj: Object) -> dict[str, Any]:
    return {
        "name": obj.name,
        "size": obj.size,
        "content_type": obj.content_type,
        "updated": obj.updated.isoformat() if obj.updated else None,
        "md5_hash": obj.md5_hash,
        "crc32c": obj.crc32c,
        "generation": obj.generation,
    }


EPILOG_URI = "URIs are gs://bucket/path; a bare path means the configured bucket."


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--bucket", envvar="SATCHEL_BUCKET", help="Bucket to use (default: configured).")
@click.option("--endpoint", help="A GCS-compatible endpoint, e.g. http://127.0.0.1:4443.")
@click.option(
    "--backend",
    type=click.Choice(["gcs", "replit", "local", "emulator"]),
    help="Where to connect (default: configured, else the embedded local server).",
)
@click.option(
    "--read-only", is_flag=True, help="Browser: disable every action that changes the bucket."
)
@click.version_option(package_name="satchel", prog_name="satchel")
@click.pass_context
def cli(
    ctx: click.Context,
    bucket: str | None,
    endpoint: str | None,
    backend: str | None,
    read_only: bool,
) -> None:
    """Satchel: browse and script object storage.

    With no command, opens the keyboard-driven bucket browser.

    \b
    Examples:
      satchel                      # browse (the embedded local server unless configured)
      satchel demo && satchel      # seed a demo tree, then browse it
      satchel ls -l docs/
      satchel put report.pdf gs://my-bucket/reports/
      satchel get -r logs/ ./logs-copy
      satchel info
    """
    ctx.obj = Options(bucket, endpoint, backend, read_only, {})
    if ctx.invoked_subcommand is None:
        open_browser(ctx.obj)


def open_browser(options: Options) -> None:
    from storage.config import load_settings

    with errors_as_exit():
        keys = dict(load_settings().keys)
        client = options.client()
    from tui.app import BrowserApp

    BrowserApp(client=client, read_only=options.read_only, keymap=keys).run()


pass_options = click.make_pass_decorator(Options)


# ---------------------------------------------------------------------------------------- ls
@cli.command()
@click.option(
    "-l", "long", is_flag=True, help="Also show size, updated time (UTC) and content type."
)
@click.option("-r", "recursive", is_flag=True, help="List every object under the prefix.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.argument("prefix", required=False, default="")
@pass_options
def ls(options: Options, long: bool, recursive: bool, as_json: bool, prefix: str) -> None:
    """List one level under PREFIX (prefixes end in /), or everything with -r.

    Streams page by page: a huge prefix starts printing at once.

    \b
    Examples:
      satchel ls
      satchel ls -l logs/2026/
      satchel ls -r --json gs://my-bucket/data/ | jq .name
    """
    bucket, path = split_uri(prefix)
    with errors_as_exit():
        client = options.client(bucket)
        out = sys.stdout

        def emit_object(obj: Object) -> None:
            if as_json:
                out.write(json.dumps(object_record(obj)) + "\n")
            elif long:
                updated = obj.updated.strftime("%Y-%m-%dT%H:%M:%SZ") if obj.updated else "-"
                out.write(
                    f"{obj.size or 0:>12}  {updated}  {shown(obj.content_type or '-'):<28}  {shown(obj.name)}\n"
                )
            else:
                out.write(shown(obj.name) + "\n")

        def emit_prefix(name: str) -> None:
            if as_json:
                out.write(json.dumps({"prefix": name}) + "\n")
            elif long:
                out.write(f"{'':>12}  {'':20}  {'':<28}  {shown(name)}\n")
            else:
                out.write(shown(name) + "\n")

        if recursive:
            for count, obj in enumerate(client.iter_objects(prefix=path or None, page_size=1000)):
                emit_object(obj)
                if count % 500 == 0:  # the first line at once, then now and then
                    out.flush()
            out.flush()
            return
        if path and not path.endswith("/"):
            first = client.list_page(prefix=path, page_size=1000)
            if first.prefixes == [path + "/"] and not first.objects:
                path += "/"
        token: str | None = None
        while True:
            page = client.list_page(prefix=path, page_size=1000, page_token=token)
            entries: list[tuple[str, Object | None]] = [(p, None) for p in page.prefixes]
            entries += [(o.name, o) for o in page.objects]
            for name, entry in sorted(entries, key=lambda e: e[0]):
                if entry is None:
                    emit_prefix(name)
                else:
                    emit_object(entry)
            out.flush()
            token = page.next_page_token
            if not token:
                break


# ---------------------------------------------------------------------------------------- cat
def parse_range(text: str) -> tuple[int, int | None]:
    """gsutil's -r: START-END (inclusive), START-, or -N (the last N bytes)."""
    match = re.fullmatch(r"(\d*)-(\d*)", text.strip())
    if not match or (not match.group(1) and not match.group(2)):
        raise click.BadParameter("use START-END, START- or -N", param_hint="-r")
    start, end = match.group(1), match.group(2)
    if not start:
        return -int(end), None
    if end and int(end) < int(start):
        raise click.BadParameter("END is before START", param_hint="-r")
    return int(start), (int(end) + 1 if end else None)


@cli.command()
@click.option(
    "-r",
    "byte_range",
    metavar="RANGE",
    help="Bytes START-END (inclusive), START- or -N (the last N).",
)
@click.argument("name")
@pass_options
def cat(options: Options, byte_range: str | None, name: str) -> None:
    """Write an object (or a byte range of it) to stdout, streamed.

    \b
    Examples:
      satchel cat notes/todo.txt
      satchel cat -r 0-99 data/big.bin | xxd
      satchel cat -r -512 logs/app.log
    """
    bucket, path = split_uri(name)
    start, end = parse_range(byte_range) if byte_range else (0, None)
    with errors_as_exit():
        client = options.client(bucket)
        sink = sys.stdout.buffer
        if byte_range is None:
            client.download_to_file(path, sink)
            sink.flush()
            return
        if start < 0:
            size = client.stat(path).size or 0
            start = max(0, size + start)
        position = start
        while end is None or position < end:
            want = CHUNK if end is None else min(end - position, CHUNK)
            data = client.read_range(path, position, position + want)
            sink.write(data)
            position += len(data)
            if len(data) < want:  # the object ended
                break
        sink.flush()


# ---------------------------------------------------------------------------------------- put/get
def _dest_name(dest: str, source_name: str, many: bool) -> str:
    if many or dest == "" or dest.endswith("/"):
        return dest + source_name
    return dest


@cli.command()
@click.option("-r", "recursive", is_flag=True, help="Upload directories recursively.")
@click.option("-n", "--no-clobber", is_flag=True, help="Skip objects that exist already.")
@click.argument("sources", nargs=-1, required=True)
@click.argument("dest")
@pass_options
def put(
    options: Options, recursive: bool, no_clobber: bool, sources: tuple[str, ...], dest: str
) -> None:
    """Upload local files (or - for stdin) to DEST.

    DEST ending in / (or several sources) is a prefix: each file keeps its name under it.

    \b
    Examples:
      satchel put report.pdf reports/
      satchel put -r ./photos gs://my-bucket/backup/
      tar c dir | satchel put - backups/dir.tar
    """
    from tui import ops

    bucket, dest_path = split_uri(dest)
    many = len(sources) > 1
    with errors_as_exit():
        client = options.client(bucket)
        for source in sources:
            if source == "-":
                if many or not dest_path or dest_path.endswith("/"):
                    fail("uploading stdin needs a single object name as DEST", 2)
                client.upload_from_file(dest_path, sys.stdin.buffer, size=None)
                continue
            local = Path(source)
            if local.is_dir():
                if not recursive:
                    fail(f"{source} is a directory (use -r)")
                prefix = (
                    dest_path if dest_path == "" or dest_path.endswith("/") else dest_path + "/"
                )
                plan = ops.plan_upload(client, local, prefix)
                if no_clobber:
                    plan = plan.without_existing()
                with reporter(plan.total_bytes, f"put {source}") as report:
                    ops.upload_items(client, plan, _progress(plan.total_bytes, report))
                continue
            if not local.exists():
                fail(f"No such file: {source}")
            name = _dest_name(dest_path, local.name, many)
            if no_clobber and client.exists(name):
                warn(f"skipped {name}: it exists")
                continue
            with reporter(local.stat().st_size, name) as report:
                client.upload_from_filename(name, str(local), progress=report)


@cli.command()
@click.option("-r", "recursive", is_flag=True, help="Download every object under a prefix.")
@click.argument("sources", nargs=-1, required=True)
@click.argument("dest")
@pass_options
def get(options: Options, recursive: bool, sources: tuple[str, ...], dest: str) -> None:
    """Download objects to DEST (a file, a directory, or - for stdout).

    Files are written atomically (a temporary file renamed into place), and no object name can
    make a file land outside DEST: such names are skipped and reported.

    \b
    Examples:
      satchel get notes/todo.txt .
      satchel get -r logs/2026/ ./logs
      satchel get data/big.bin - | sha256sum
    """
    from tui import ops

    many = len(sources) > 1
    with errors_as_exit():
        if dest == "-":
            if many or recursive:
                fail("only one object can be written to stdout", 2)
            bucket, path = split_uri(sources[0])
            options.client(bucket).download_to_file(path, sys.stdout.buffer)
            sys.stdout.buffer.flush()
            return
        target = Path(dest)
        skipped: list[str] = []
        for source in sources:
            bucket, path = split_uri(source)
            client = options.client(bucket)
            if recursive and (path == "" or path.endswith("/") or not client.exists(path)):
                prefix = path if path == "" or path.endswith("/") else path + "/"
                objects = list(client.iter_objects(prefix=prefix or None))
                if not objects:
                    fail(f"No objects under {prefix or 'the bucket'}")
                parent = prefix.rstrip("/").rpartition("/")[0]
                cut = len(parent) + 1 if parent else 0
                target.mkdir(parents=True, exist_ok=True)
                plan = ops.plan_download(client, objects, target, _after(cut), False)
                skipped += plan.skipped
                with reporter(plan.total_bytes, f"get {source}") as report:
                    ops.download_items(client, plan, _progress(plan.total_bytes, report))
                continue
            if target.is_dir() or dest.endswith(("/", os.sep)) or many:
                target.mkdir(parents=True, exist_ok=True)
                base = path.rpartition("/")[2]
                file = ops.safe_local_path(target, base)
            else:
                file = target
            size = client.stat(path).size or 0
            with reporter(size, path) as report:
                client.download_to_filename(path, str(file), progress=report)
        if skipped:
            for name in skipped:
                warn(f"skipped {name!r}: it cannot be written safely under {dest}")
            fail(f"{len(skipped)} object(s) skipped")


def _progress(total: int, report: Callable[[int], None] | None) -> Any:
    from tui import ops

    return ops.Progress(total, report) if report is not None else ops.Progress(total)


def _after(cut: int) -> Callable[[str], str]:
    """An object name's path below the downloaded prefix's parent."""

    def relative(name: str) -> str:
        return name[cut:]

    return relative


# ---------------------------------------------------------------------------------------- cp/mv/rm
def _pairs(client: Client, src: str, dest: str, recursive: bool) -> list[tuple[str, str]]:
    from tui import ops

    if recursive and (src.endswith("/") or not client.exists(src)):
        prefix = src if src.endswith("/") else src + "/"
        names = [o.name for o in client.iter_objects(prefix=prefix)]
        if not names:
            fail(f"No objects under {prefix}")
        dest_prefix = dest if dest.endswith("/") else dest + "/"
        return ops.rename_under(names, prefix, dest_prefix)
    return [(src, _dest_name(dest, src.rpartition("/")[2], False))]


def _copy_across(source: Client, src: str, target: Client, dest: str) -> None:
    """Between buckets: through a temporary file, so memory stays bounded."""
    with tempfile.TemporaryFile() as spool:
        source.download_to_file(src, spool)
        size = spool.tell()
        spool.seek(0)
        content_type = source.stat(src).content_type
        target.upload_from_file(dest, spool, size=size, content_type=content_type)


@cli.command()
@click.option("-r", "recursive", is_flag=True, help="Copy everything under a prefix.")
@click.argument("src")
@click.argument("dest")
@pass_options
def cp(options: Options, recursive: bool, src: str, dest: str) -> None:
    """Copy SRC to DEST (overwriting DEST).

    \b
    Examples:
      satchel cp notes/todo.txt notes/todo-backup.txt
      satchel cp -r photos/ archive/photos/
      satchel cp gs://a-bucket/x.txt gs://other-bucket/x.txt
    """
    src_bucket, src_path = split_uri(src)
    dest_bucket, dest_path = split_uri(dest)
    with errors_as_exit():
        source = options.client(src_bucket)
        target = options.client(dest_bucket)
        pairs = _pairs(source, src_path, dest_path, recursive)
        for a, b in pairs:
            if source is target:
                source.copy(a, b)
            else:
                _copy_across(source, a, target, b)
        if len(pairs) > 1:
            click.echo(f"Copied {len(pairs)} objects", err=True)


@cli.command()
@click.option("-r", "recursive", is_flag=True, help="Move everything under a prefix.")
@click.argument("src")
@click.argument("dest")
@pass_options
def mv(options: Options, recursive: bool, src: str, dest: str) -> None:
    """Move (rename) SRC to DEST. Each source is deleted only after its copy is verified
    (same size and checksum).

    \b
    Examples:
      satchel mv draft.md final.md
      satchel mv -r tmp/ archive/tmp/
    """
    from tui import ops

    src_bucket, src_path = split_uri(src)
    dest_bucket, dest_path = split_uri(dest)
    if (src_bucket or options.bucket) != (dest_bucket or options.bucket):
        fail("mv works within one bucket; use cp, then rm", 2)
    with errors_as_exit():
        client = options.client(src_bucket)
        pairs = _pairs(client, src_path, dest_path, recursive)
        try:
            ops.move_pairs(client, pairs, ops.Progress(len(pairs)))
        except ops.VerificationError as exc:
            fail(str(exc))
        if len(pairs) > 1:
            click.echo(f"Moved {len(pairs)} objects", err=True)


@cli.command()
@click.option(
    "-r", "recursive", is_flag=True, help="Delete everything under a prefix (asks first)."
)
@click.option("-f", "force", is_flag=True, help="Do not ask; ignore missing objects.")
@click.argument("names", nargs=-1, required=True)
@pass_options
def rm(options: Options, recursive: bool, force: bool, names: tuple[str, ...]) -> None:
    """Delete objects. With -r, everything under a prefix, after showing the count.

    \b
    Examples:
      satchel rm notes/old.txt
      satchel rm -r tmp/            # asks: Delete 120 objects under tmp/? [y/N]
      satchel rm -rf tmp/           # no question (scripts)
    """
    with errors_as_exit():
        for value in names:
            bucket, path = split_uri(value)
            client = options.client(bucket)
            if recursive and (path == "" or path.endswith("/") or not client.exists(path)):
                prefix = path if path == "" or path.endswith("/") else path + "/"
                victims = [o.name for o in client.iter_objects(prefix=prefix or None)]
                if not victims:
                    if force:
                        continue
                    fail(f"No objects under {prefix or 'the bucket'}")
                where = prefix or f"the whole bucket {client.bucket_name}"
                click.echo(f"{len(victims)} object(s) under {shown(where)}", err=True)
                if not force:
                    if not sys.stdin.isatty():
                        fail(
                            "refusing to delete without confirmation; pass -f to skip the question"
                        )
                    if not click.confirm(
                        f"Delete {len(victims)} objects?", default=False, err=True
                    ):
                        fail("nothing deleted")
                for name in victims:
                    client.delete(name, ignore_not_found=True)
                click.echo(f"Deleted {len(victims)} objects", err=True)
            else:
                client.delete(path, ignore_not_found=force)


# ---------------------------------------------------------------------------------------- stat/url
@cli.command()
@click.option("--json", "as_json", is_flag=True, help="As a JSON object.")
@click.argument("name")
@pass_options
def stat(options: Options, as_json: bool, name: str) -> None:
    """Show an object's metadata.

    \b
    Examples:
      satchel stat data/sales.csv
      satchel stat --json data/sales.csv | jq .size
    """
    bucket, path = split_uri(name)
    with errors_as_exit():
        client = options.client(bucket)
        obj = client.stat(path)
        record = object_record(obj)
        record["uri"] = f"gs://{client.bucket_name}/{obj.name}"
        if as_json:
            click.echo(json.dumps(record))
            return
        width = max(len(k) for k in record)
        for key, value in record.items():
            if key == "size":
                value = f"{_human(obj.size)} ({obj.size} bytes)" if obj.size is not None else "-"
            click.echo(f"{key:<{width}}  {shown(str(value)) if value is not None else '-'}")


def parse_duration(text: str) -> timedelta:
    match = re.fullmatch(r"(\d+)([smhd]?)", text.strip())
    if not match:
        raise click.BadParameter(
            "use a number with s, m, h or d, e.g. 15m or 1h", param_hint="--expires"
        )
    amount, unit = int(match.group(1)), match.group(2) or "s"
    delta = timedelta(seconds=amount * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit])
    if not timedelta(seconds=1) <= delta <= timedelta(days=7):
        raise click.BadParameter("must be between 1s and 7d (the V4 limit)", param_hint="--expires")
    return delta


@cli.command()
@click.option("--expires", default="1h", show_default=True, help="How long the URL works (max 7d).")
@click.argument("name")
@pass_options
def url(options: Options, expires: str, name: str) -> None:
    """Print a V4 signed URL that lets anyone download NAME until it expires.

    Needs credentials that can sign (a service-account key); the local server and user
    credentials cannot.

    \b
    Examples:
      satchel url --expires 15m reports/q1.pdf
    """
    bucket, path = split_uri(name)
    delta = parse_duration(expires)
    with errors_as_exit():
        click.echo(options.client(bucket).signed_url(path, expires=delta))


# ---------------------------------------------------------------------------------------- local server, demo, info
@cli.group()
def server() -> None:
    """Manage the embedded local storage server (shared by every satchel process).

    \b
    Examples:
      satchel server start     # keep it running until `satchel server stop`
      satchel server status
      satchel server stop
    """


@server.command("start")
def server_start() -> None:
    """Start the local server (or attach) and keep it running until `server stop`."""
    from storage import local_server

    with errors_as_exit():
        state = local_server.ensure_running(pin=True)
    click.echo(f"running at {state.url} (pid {state.pid}), data in {state.data_dir}")


@server.command("stop")
def server_stop() -> None:
    """Stop the local server."""
    from storage import local_server

    with errors_as_exit():
        stopped = local_server.stop()
    click.echo("stopped" if stopped else "not running")


@server.command("status")
def server_status() -> None:
    """Say whether the local server runs, where, and on which data. Exit 1 if it does not."""
    from storage import local_server

    with errors_as_exit():
        state = local_server.status()
        directory = local_server.default_data_dir()
    if state is None:
        click.echo(f"not running (data in {directory})")
        sys.exit(1)
    click.echo(f"running at {state.url} (pid {state.pid}), data in {state.data_dir}")


@cli.command()
@pass_options
def demo(options: Options) -> None:
    """Fill the local bucket with a demo tree to explore: nested prefixes, text, markdown, JSON,
    CSV, code, binary, an image, a multi-MiB file, a prefix of 2,500 objects and names with
    spaces, unicode and brackets.

    \b
    Example:
      satchel demo && satchel
    """
    from tui.demo import seed

    with errors_as_exit():
        client = options.client()
        if client.backend != "local":
            fail(
                f"satchel demo only seeds the embedded local server, not {client.backend} "
                "(run `satchel --backend local demo`)"
            )
        with reporter(1, "seeding") as report:
            count = seed(client, progress=(lambda done, total: report(done)) if report else None)
    click.echo(
        f"Seeded {count} objects into gs://{client.bucket_name}/ on the local server. Run `satchel` to browse."
    )


@cli.command()
@pass_options
def info(options: Options) -> None:
    """Show the backend, endpoint, bucket, where credentials come from (never a secret) and the
    local data directory. Exit 1 with a hint when the configuration is unusable."""
    from storage.config import config_path

    with errors_as_exit():
        client = options.client()
        details = client.describe()
    details["config"] = str(config_path())
    width = max(len(k) for k in details)
    for key, value in details.items():
        click.echo(f"{key:<{width}}  {shown(value) if value else '-'}")


def main(argv: list[str] | None = None) -> None:
    """The console script."""
    cli.main(args=argv, prog_name="satchel")


if __name__ == "__main__":
    main()
