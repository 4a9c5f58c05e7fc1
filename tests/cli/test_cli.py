"""The `satchel` CLI, run as a subprocess against the real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage as gcs

from storage import Client
from tests.servers import GcsServer, env_without_storage, running_server

ROOT = Path(__file__).resolve().parents[2]


class Satchel:
    """`satchel --endpoint <server> --bucket <bucket> ...` as a subprocess."""

    def __init__(self, server: GcsServer, bucket: str, cwd: Path) -> None:
        self.base = [sys.executable, "-m", "tui.cli", "--endpoint", server.url, "--bucket", bucket]
        self.cwd = cwd
        self.env = {
            **env_without_storage(),
            "PYTHONPATH": str(ROOT),
            "SATCHEL_CONFIG": os.environ["SATCHEL_CONFIG"],
            "SATCHEL_DATA_DIR": os.environ["SATCHEL_DATA_DIR"],
            "SATCHEL_REPLIT_SIDECAR": "http://127.0.0.1:9",
        }

    def __call__(
        self, *args: str, input: bytes | None = None, bare: bool = False
    ) -> subprocess.CompletedProcess[bytes]:
        argv = [sys.executable, "-m", "tui.cli", *args] if bare else [*self.base, *args]
        # Never the developer's terminal as stdin (`rm -r` would ask it): an empty pipe.
        return subprocess.run(
            argv,
            input=input if input is not None else b"",
            capture_output=True,
            cwd=self.cwd,
            env=self.env,
            timeout=120,
            check=False,
        )


@pytest.fixture
def satchel(gcs_server: GcsServer, bucket: str, tmp_path: Path) -> Satchel:
    return Satchel(gcs_server, bucket, tmp_path)


def out(done: subprocess.CompletedProcess[bytes]) -> str:
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


def test_ls_one_level_long_recursive_and_json(satchel: Satchel, client: Client) -> None:
    for name in ("a.txt", "dir/b.txt", "dir/sub/c.txt", "z.bin"):
        client.upload_from_text(name, name)
    assert out(satchel("ls")).splitlines() == ["a.txt", "dir/", "z.bin"]
    assert out(satchel("ls", "dir")).splitlines() == ["dir/b.txt", "dir/sub/"]
    assert out(satchel("ls", "-r")).splitlines() == ["a.txt", "dir/b.txt", "dir/sub/c.txt", "z.bin"]
    long = out(satchel("ls", "-l", "dir/")).splitlines()
    assert long[0].split() == ["9", long[0].split()[1], "text/plain;", "charset=utf-8", "dir/b.txt"]
    assert long[0].split()[1].endswith("Z")
    records = [json.loads(line) for line in out(satchel("ls", "-r", "--json", "dir/")).splitlines()]
    assert [r["name"] for r in records] == ["dir/b.txt", "dir/sub/c.txt"]
    assert records[0]["size"] == 9
    prefixes = [json.loads(line) for line in out(satchel("ls", "--json")).splitlines()]
    assert {"prefix": "dir/"} in prefixes


def test_ls_escapes_control_characters_in_names(
    satchel: Satchel, gcs_server: GcsServer, bucket: str
) -> None:
    raw = gcs.Client(
        project="t",
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": gcs_server.url},
    )
    raw.bucket(bucket).blob("evil\x1b[31mred").upload_from_string(b"x")
    listing = satchel("ls").stdout
    assert b"\x1b" not in listing
    assert b"evil\\x1b[31mred" in listing


def test_cat_whole_and_ranges(satchel: Satchel, client: Client) -> None:
    client.upload_from_bytes("n.bin", bytes(range(100)))
    assert satchel("cat", "n.bin").stdout == bytes(range(100))
    assert satchel("cat", "-r", "10-19", "n.bin").stdout == bytes(range(10, 20))
    assert satchel("cat", "-r", "95-", "n.bin").stdout == bytes(range(95, 100))
    assert satchel("cat", "-r", "-3", "n.bin").stdout == bytes(range(97, 100))
    assert satchel("cat", "-r", "x-y", "n.bin").returncode == 2


def test_binary_round_trip_through_pipes(satchel: Satchel, client: Client) -> None:
    data = os.urandom(3 * 1024 * 1024) + b"\x00\r\n\x1b"
    assert satchel("put", "-", "piped.bin", input=data).returncode == 0
    assert client.download_as_bytes("piped.bin") == data
    assert satchel("get", "piped.bin", "-").stdout == data
    assert satchel("cat", "piped.bin").stdout == data


def test_put_and_get_files_and_directories(
    satchel: Satchel, client: Client, tmp_path: Path
) -> None:
    local = tmp_path / "src"
    (local / "deep").mkdir(parents=True)
    (local / "one.txt").write_text("one")
    (local / "deep" / "two.txt").write_text("two")
    assert satchel("put", str(local / "one.txt"), "up/").returncode == 0
    assert client.download_as_text("up/one.txt") == "one"
    assert client.stat("up/one.txt").content_type == "text/plain"
    assert satchel("put", str(local / "one.txt"), "renamed.txt").returncode == 0
    assert client.exists("renamed.txt")
    done = satchel("put", str(local), "tree/")
    assert done.returncode == 1
    assert b"use -r" in done.stderr
    assert satchel("put", "-r", str(local), "tree/").returncode == 0
    assert sorted(o.name for o in client.list(prefix="tree/")) == [
        "tree/src/deep/two.txt",
        "tree/src/one.txt",
    ]

    dest = tmp_path / "down"
    assert satchel("get", "-r", "tree/src/", str(dest)).returncode == 0
    assert (dest / "src" / "deep" / "two.txt").read_text() == "two"
    assert satchel("get", "up/one.txt", str(dest)).returncode == 0
    assert (dest / "one.txt").read_text() == "one"
    assert satchel("get", "up/one.txt", str(dest / "named.txt")).returncode == 0
    assert (dest / "named.txt").read_text() == "one"


def test_get_missing_object_keeps_the_destination(satchel: Satchel, tmp_path: Path) -> None:
    target = tmp_path / "keep.txt"
    target.write_text("precious")
    done = satchel("get", "missing.txt", str(target))
    assert done.returncode == 1
    assert target.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_get_r_with_hostile_names_writes_nothing_outside(
    satchel: Satchel, gcs_server: GcsServer, bucket: str, tmp_path: Path
) -> None:
    raw = gcs.Client(
        project="t",
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": gcs_server.url},
    )
    b = raw.bucket(bucket)
    b.blob("h/ok.txt").upload_from_string(b"fine")
    hostile = ["h/x\\..\\..\\escape", "h/evil\x1bname"]
    for name in hostile:
        b.blob(name).upload_from_string(b"bad")
    # Names with .. segments or a leading / are refused by our Client before any request, and
    # this server cannot store them either; a sibling directory catches any escape.
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = outside / "dest"
    done = satchel("get", "-r", "h/", str(dest))
    written = sorted(str(p.relative_to(outside)) for p in outside.rglob("*") if p.is_file())
    assert all(path.startswith("dest/") for path in written), written
    assert "dest/h/ok.txt" in written
    assert done.returncode == 1  # something was skipped, and said so
    assert b"skipped" in done.stderr
    assert b"\x1b" not in done.stderr


def test_cp_mv_rm(satchel: Satchel, client: Client) -> None:
    client.upload_from_text("src.txt", "payload")
    assert satchel("cp", "src.txt", "copy.txt").returncode == 0
    assert client.download_as_text("copy.txt") == "payload"
    assert satchel("mv", "copy.txt", "moved.txt").returncode == 0
    assert not client.exists("copy.txt")
    assert client.download_as_text("moved.txt") == "payload"
    for i in range(3):
        client.upload_from_text(f"p/{i}.txt", str(i))
    assert satchel("cp", "-r", "p/", "q/").returncode == 0
    assert len(client.list(prefix="q/")) == 3
    assert satchel("mv", "-r", "q/", "r/").returncode == 0
    assert client.list(prefix="q/") == []
    assert len(client.list(prefix="r/")) == 3

    refused = satchel("rm", "-r", "r/")  # no TTY, no -f: asks nobody, deletes nothing
    assert refused.returncode == 1
    assert b"3 object(s)" in refused.stderr
    assert len(client.list(prefix="r/")) == 3
    assert satchel("rm", "-r", "-f", "r/").returncode == 0
    assert client.list(prefix="r/") == []
    assert satchel("rm", "moved.txt").returncode == 0
    assert not client.exists("moved.txt")
    missing = satchel("rm", "moved.txt")
    assert missing.returncode == 1
    assert satchel("rm", "-f", "moved.txt").returncode == 0


def test_stat_text_and_json(satchel: Satchel, client: Client, bucket: str) -> None:
    client.upload_from_text("s.txt", "12345")
    text = out(satchel("stat", "s.txt"))
    assert "5 bytes" in text
    assert f"gs://{bucket}/s.txt" in text
    record = json.loads(out(satchel("stat", "--json", "s.txt")))
    assert record["size"] == 5
    assert record["content_type"] == "text/plain; charset=utf-8"


def test_gs_uris_name_the_bucket(satchel: Satchel, client: Client, bucket: str) -> None:
    client.upload_from_text("u.txt", "uri")
    assert satchel("cat", f"gs://{bucket}/u.txt").stdout == b"uri"


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["cat", "nope.txt"], 1, "No such object: nope.txt in bucket"),
        (["--bucket", "no-such-bucket", "ls"], 1, "No such bucket: no-such-bucket"),
        (["stat", "nope.txt"], 1, "No such object"),
        (["ls", "--bogus"], 2, "No such option"),
        (["cp", "only-one"], 2, "Missing argument"),
        (["cat", "../escape"], 1, "segment"),
        (["url", "x.txt"], 1, "no signing keys"),
        (["url", "--expires", "9d", "x.txt"], 2, "7d"),
    ],
)
def test_errors_are_one_line_with_the_right_exit_code(
    satchel: Satchel, args: list[str], code: int, needle: str
) -> None:
    done = satchel(*args)
    assert done.returncode == code, done.stderr
    stderr = done.stderr.decode()
    assert needle in stderr
    assert "Traceback" not in stderr
    if code == 1:
        assert len(stderr.strip().splitlines()) == 1
        assert stderr.startswith("satchel: error: ")


def test_every_command_has_help_with_examples(satchel: Satchel) -> None:
    commands = [
        "ls",
        "cat",
        "put",
        "get",
        "cp",
        "mv",
        "rm",
        "stat",
        "url",
        "demo",
        "info",
        "server",
    ]
    top = out(satchel("--help", bare=True))
    for command in commands:
        assert command in top
        text = out(satchel(command, "--help", bare=True))
        assert "Usage: satchel" in text
        if command not in ("info",):
            assert "Example" in text, command


def test_local_backend_server_demo_and_info(satchel: Satchel, tmp_path: Path) -> None:
    env = dict(satchel.env, SATCHEL_DATA_DIR=str(tmp_path / "data"), SATCHEL_IDLE_TIMEOUT="30")
    local = Satchel.__new__(Satchel)
    local.base, local.cwd, local.env = [sys.executable, "-m", "tui.cli"], tmp_path, env
    try:
        status = local("server", "status")
        assert status.returncode == 1
        assert b"not running" in status.stdout
        started = out(local("server", "start"))
        assert "running at http://127.0.0.1:" in started
        info = out(local("info"))
        assert "local" in info
        assert str(tmp_path / "data") in info
        assert "satchel" in info  # the default bucket
        # demo: seeds the local bucket (the big prefix too), then ls shows it.
        assert "Seeded" in out(local("demo"))
        assert "README.md" in out(local("ls"))
        assert "running" in out(local("server", "status"))
    finally:
        assert b"stopped" in local("server", "stop").stdout
    assert local("server", "status").returncode == 1


def test_info_on_an_unusable_configuration_exits_1_with_a_hint(
    satchel: Satchel, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("backend = 'azure'")
    env = dict(satchel.env, SATCHEL_CONFIG=str(bad))
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "info"],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert b"Unknown backend 'azure'" in done.stderr
    assert b"choose one of" in done.stderr


def test_ls_r_streams_its_first_line_before_the_listing_ends(tmp_path: Path) -> None:
    """10,000 objects: the first line arrives while the process is still listing."""
    with running_server(tmp_path / "gcs") as server:
        server.create_bucket("many")
        client = Client("many", endpoint=server.url, timeout=30, retry_deadline=30)
        names = [f"p/{i:05d}" for i in range(10_000)]
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda n: client.upload_from_bytes(n, b"x"), names))
        env = {**env_without_storage(), "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tui.cli",
                "--endpoint",
                server.url,
                "--bucket",
                "many",
                "ls",
                "-r",
                "p/",
            ],
            stdout=subprocess.PIPE,
            env=env,
        )
        assert proc.stdout is not None
        first = proc.stdout.readline()
        still_running = proc.poll() is None
        rest = proc.stdout.read().splitlines()
        assert proc.wait(60) == 0
    assert first == b"p/00000\n"
    assert still_running, "ls -r printed nothing until the whole listing was done"
    assert len(rest) == 9_999


def test_info_names_an_emulator_endpoint(
    satchel: Satchel, gcs_server: GcsServer, bucket: str
) -> None:
    info = out(satchel("info"))
    assert "emulator" in info
    assert gcs_server.url in info
    assert bucket in info
    assert "anonymous" in info


def test_replit_tokens_never_reach_the_output(satchel: Satchel, gcs_server: GcsServer) -> None:
    from tests.backends.sidecar import ACCESS_TOKEN, SUBJECT_TOKEN, FakeSidecar

    with FakeSidecar(bucket=f"replit-cli-{os.getpid()}") as sidecar:
        gcs_server.create_bucket(sidecar.bucket)
        env = dict(satchel.env, SATCHEL_REPLIT_SIDECAR=sidecar.url)
        base = [
            sys.executable,
            "-m",
            "tui.cli",
            "--backend",
            "replit",
            "--endpoint",
            gcs_server.url,
        ]
        runs = [
            subprocess.run(
                [*base, *args], input=b"data", capture_output=True, env=env, timeout=60, check=False
            )
            for args in (
                ["put", "-", "t.txt"],
                ["ls", "-l"],
                ["stat", "t.txt"],
                ["cat", "missing"],
                ["info"],
            )
        ]
        assert sidecar.exchanges, "the token exchange never happened"
    assert [r.returncode for r in runs] == [0, 0, 0, 1, 0]
    for run in runs:
        for secret in (ACCESS_TOKEN, SUBJECT_TOKEN):
            assert secret.encode() not in run.stdout + run.stderr
    assert b"replit" in runs[-1].stdout
