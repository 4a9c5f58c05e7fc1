"""Where a Client connects.

API (used by ``storage.Client`` and by the ``satchel`` CLI and browser):

- ``connect(bucket_id, *, endpoint, backend, timeout) -> Connection``: resolve a Client's
  connection. Called lazily, once, on the Client's first use.
- ``default_backend_for_tools(bucket_id, endpoint, backend) -> str | None``: "local" when
  nothing at all is configured (the ``satchel`` browser and CLI then use the embedded server),
  else None (resolve as the library does).

Resolution order, first match wins:

1. ``backend=``/``endpoint=``/``bucket_id`` given in code or on the command line;
2. the environment: SATCHEL_BACKEND, SATCHEL_ENDPOINT or STORAGE_EMULATOR_HOST, SATCHEL_BUCKET;
3. the config file (``$SATCHEL_CONFIG`` or ``config.toml`` in the platform's config dir);
4. with no backend chosen: an endpoint means "emulator"; inside Replit (REPL_ID set) or when
   Replit's sidecar names a default bucket, "replit"; a named bucket means "gcs" with
   Application Default Credentials;
5. otherwise DefaultBucketError, saying how to choose (the library never silently stores data
   on the embedded local server; the ``satchel`` tools do, see ``default_backend_for_tools``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import errors, replit
from .config import BACKENDS, Settings, load_settings

__all__ = ["BACKENDS", "LOCAL_BUCKET", "Connection", "connect", "default_backend_for_tools"]

#: The bucket the embedded local server creates on first use.
LOCAL_BUCKET = "satchel"

_CHOOSE = (
    "name a bucket (Client('my-bucket') or SATCHEL_BUCKET) for Google Cloud Storage, "
    "or set SATCHEL_BACKEND=local for the embedded local server (no account needed)"
)


@dataclass
class Connection:
    """A resolved connection: the google-cloud-storage client and bucket to use."""

    gcs: Any  # google.cloud.storage.Client
    bucket_name: str
    backend: str
    endpoint: str | None
    credentials_source: str
    #: The server stores names as file paths (the embedded local server): stricter names.
    filesystem_names: bool = False
    data_dir: str | None = None
    bucket: Any = field(init=False)

    def __post_init__(self) -> None:
        self.bucket = self.gcs.bucket(self.bucket_name)

    def describe(self) -> dict[str, str | None]:
        """For humans: never a secret."""
        return {
            "backend": self.backend,
            "endpoint": self.endpoint or "https://storage.googleapis.com",
            "bucket": self.bucket_name,
            "credentials": self.credentials_source,
            "data_dir": self.data_dir,
        }


def _anonymous_client(endpoint: str, project: str | None) -> Any:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage as gcs

    return gcs.Client(
        project=project or "satchel-local",
        credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
        client_options={"api_endpoint": endpoint},
    )


def _choose_backend(bucket: str | None, endpoint: str | None, settings: Settings) -> str:
    if endpoint:
        return "emulator"
    if replit.on_replit():
        return "replit"
    if bucket:
        return "gcs"
    # Not obviously on Replit and nothing named: a sidecar that names a bucket still wins.
    try:
        replit.default_bucket(settings.replit_sidecar, timeout=1.0)
    except errors.DefaultBucketError:
        raise errors.DefaultBucketError(
            "No bucket or backend is configured", hint=_CHOOSE
        ) from None
    return "replit"


def default_backend_for_tools(
    bucket_id: str | None = None, endpoint: str | None = None, backend: str | None = None
) -> str | None:
    """ "local" when nothing is configured anywhere (the tools' default), else None."""
    if bucket_id or endpoint or backend or replit.on_replit():
        return None
    settings = load_settings()
    if settings.backend or settings.bucket or settings.endpoint:
        return None
    try:
        replit.default_bucket(settings.replit_sidecar, timeout=1.0)
    except errors.DefaultBucketError:
        return "local"
    return None


def connect(
    bucket_id: str | None,
    *,
    endpoint: str | None = None,
    backend: str | None = None,
    timeout: float = 10.0,
) -> Connection:
    """Resolve a Client's connection (see the module docstring for the order)."""
    settings = load_settings()
    if backend is not None and backend not in BACKENDS:
        raise errors.ConfigurationError(
            f"Unknown backend {backend!r}", hint=f"choose one of: {', '.join(BACKENDS)}"
        )
    endpoint = endpoint or settings.endpoint
    bucket = bucket_id or settings.bucket
    chosen = backend or settings.backend or _choose_backend(bucket, endpoint, settings)

    if chosen == "local":
        return _connect_local(bucket, settings, timeout)
    if chosen == "emulator":
        if not endpoint:
            raise errors.ConfigurationError(
                "The emulator backend needs an endpoint",
                hint="set SATCHEL_ENDPOINT (or STORAGE_EMULATOR_HOST) or pass --endpoint",
            )
        if not bucket:
            raise errors.DefaultBucketError(
                f"No bucket given for the storage endpoint {endpoint}",
                hint="pass Client('my-bucket') or set SATCHEL_BUCKET",
            )
        return Connection(
            gcs=_anonymous_client(endpoint, settings.project),
            bucket_name=bucket,
            backend="emulator",
            endpoint=endpoint,
            credentials_source="none (anonymous, for an emulator)",
        )
    if chosen == "replit":
        return _connect_replit(bucket, endpoint, settings, timeout)
    # Google Cloud Storage with Application Default Credentials.
    if not bucket:
        raise errors.DefaultBucketError(
            "No bucket is configured for Google Cloud Storage",
            hint="pass Client('my-bucket') or set SATCHEL_BUCKET",
        )
    import google.auth
    from google.cloud import storage as gcs

    try:
        credentials, project = google.auth.default(
            scopes=["https://www.googleapis.com/auth/devstorage.full_control"]
        )
    except google.auth.exceptions.DefaultCredentialsError as exc:
        if endpoint:  # a GCS-compatible endpoint (STORAGE_EMULATOR_HOST) may need none
            return Connection(
                gcs=_anonymous_client(endpoint, settings.project),
                bucket_name=bucket,
                backend="gcs",
                endpoint=endpoint,
                credentials_source="none (anonymous: no Application Default Credentials)",
            )
        raise errors.CredentialsError(
            "No Google Cloud credentials were found",
            hint="run `gcloud auth application-default login`, or set SATCHEL_BACKEND=local",
        ) from exc
    options = {"api_endpoint": endpoint} if endpoint else None
    return Connection(
        gcs=gcs.Client(
            project=settings.project or project, credentials=credentials, client_options=options
        ),
        bucket_name=bucket,
        backend="gcs",
        endpoint=endpoint,
        credentials_source=f"Application Default Credentials ({type(credentials).__name__})",
    )


def _connect_replit(
    bucket: str | None, endpoint: str | None, settings: Settings, timeout: float
) -> Connection:
    from google.auth.transport.requests import AuthorizedSession
    from google.auth.transport.requests import Request as AuthRequest
    from google.cloud import storage as gcs

    sidecar = settings.replit_sidecar
    if not bucket:
        bucket = replit.default_bucket(sidecar)
    credentials = replit.credentials(sidecar)

    class _ShortRequest(AuthRequest):
        """Token requests to the sidecar get a short timeout, never google-auth's 120 s."""

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            kwargs["timeout"] = min(float(kwargs.get("timeout") or timeout), replit.SIDECAR_TIMEOUT)
            return super().__call__(*args, **kwargs)  # type: ignore[no-untyped-call]

    session = AuthorizedSession(credentials, auth_request=_ShortRequest())  # type: ignore[no-untyped-call]
    options = {"api_endpoint": endpoint} if endpoint else None
    return Connection(
        gcs=gcs.Client(project="", credentials=credentials, _http=session, client_options=options),
        bucket_name=bucket,
        backend="replit",
        endpoint=endpoint,
        credentials_source=f"Replit sidecar at {sidecar} (identity pool, audience replit)",
    )


def _connect_local(bucket: str | None, settings: Settings, timeout: float) -> Connection:
    from google.api_core import exceptions as api_exceptions

    from . import local_server

    server = local_server.ensure_running(settings.data_dir, idle_timeout=settings.idle_timeout)
    local_server.acquire_lease(settings.data_dir)
    name = bucket or LOCAL_BUCKET
    conn = Connection(
        gcs=_anonymous_client(server.url, settings.project),
        bucket_name=name,
        backend="local",
        endpoint=server.url,
        credentials_source="none (embedded local server on 127.0.0.1)",
        filesystem_names=True,
        data_dir=server.data_dir,
    )
    if name == LOCAL_BUCKET or not bucket:
        # The default bucket is created on first use; a named one must exist already.
        try:
            if not conn.bucket.exists(timeout=timeout):
                conn.gcs.create_bucket(name, timeout=timeout)
        except api_exceptions.Conflict:
            pass  # another process created it meanwhile
    return conn
