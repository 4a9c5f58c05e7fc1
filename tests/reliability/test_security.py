"""Security: loopback-only servers, no secret in any error, downloads that stay in their folder."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Client, errors
from tests.backends.sidecar import ACCESS_TOKEN, SUBJECT_TOKEN, FakeSidecar
from tests.faultproxy import FaultProxy, gcs_error
from tests.servers import GcsServer, listening_addresses
from tui.ops import safe_local_path


def test_the_test_server_listens_on_loopback_only(gcs_server: GcsServer) -> None:
    if not Path("/proc/net/tcp").exists():
        pytest.skip("no /proc/net/tcp to read listening sockets from")
    addresses = listening_addresses(gcs_server.port)
    assert addresses, f"nothing listens on port {gcs_server.port}"
    assert addresses == {"0100007F"}, addresses  # 127.0.0.1, and no wildcard or IPv6 socket


@pytest.fixture
def sidecar(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSidecar]:
    with FakeSidecar() as fake:
        monkeypatch.setenv("SATCHEL_REPLIT_SIDECAR", fake.url)
        yield fake


FAULTS: list[tuple[str, Callable[[FaultProxy], object]]] = [
    ("401", lambda p: p.respond(401, gcs_error.unauthorized())),
    ("403", lambda p: p.respond(403, gcs_error.forbidden())),
    ("404", lambda p: p.respond(404, gcs_error.bucket_not_found())),
    ("429", lambda p: p.respond(429, gcs_error.rate_limited())),
    ("503", lambda p: p.respond(503, gcs_error.backend_error(503))),
    ("reset", lambda p: p.reset()),
    ("truncated", lambda p: p.truncate()),
]


@pytest.mark.parametrize(("fault", "apply"), FAULTS, ids=[f for f, _ in FAULTS])
def test_no_token_in_any_error(
    fault: str,
    apply: Callable[[FaultProxy], object],
    sidecar: FakeSidecar,
    gcs_server: GcsServer,
    proxy: FaultProxy,
    bucket: str,
) -> None:
    """A Client with real bearer tokens (the Replit backend): no failure shows them."""
    client = Client(bucket, backend="replit", endpoint=proxy.url, timeout=2, retry_deadline=1)
    client.upload_from_bytes("o", b"data" * 100)  # the tokens are fetched and in use
    apply(proxy)
    calls: list[Callable[[], object]] = [
        lambda: client.download_as_bytes("o"),
        lambda: client.upload_from_bytes("o2", b"x"),
        lambda: client.list(),
        lambda: client.exists("o"),
    ]
    seen = 0
    for call in calls:
        try:
            call()
        except errors.ObjectStorageError as exc:
            seen += 1
            shown = str(exc) + repr(exc) + "".join(traceback.format_exception(exc))
            assert ACCESS_TOKEN not in shown, (fault, shown)
            assert SUBJECT_TOKEN not in shown, (fault, shown)
    assert seen, "no call failed: the fault was not injected"


# A path segment made of the pieces that escape a folder, or innocent text.
_segments = st.one_of(
    st.sampled_from(["..", ".", "", "/", "\\", "..\\..", "/etc", "~", "C:", "a", "b.txt"]),
    st.text(min_size=1, max_size=8),
)
relatives = st.lists(_segments, min_size=1, max_size=6).map("/".join)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(relative=relatives)
def test_download_paths_never_leave_the_target(tmp_path: Path, relative: str) -> None:
    root = tmp_path / "target"
    root.mkdir(exist_ok=True)
    try:
        path = safe_local_path(root, relative)
    except ValueError:
        return
    base = root.resolve()
    assert path == base or base in path.parents, (relative, path)
