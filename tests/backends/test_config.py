"""Configuration: the file, the environment, and what wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import Client
from storage.config import load_settings
from storage.errors import ConfigurationError, DefaultBucketError
from tests.servers import GcsServer


def _write(path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path.write_text(text)
    monkeypatch.setenv("SATCHEL_CONFIG", str(path))


def test_file_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(
        tmp_path / "c.toml",
        'backend = "gcs"\nbucket = "from-file"\n[local]\nidle_timeout = 5\n[keys]\nupload = "U"\n',
        monkeypatch,
    )
    settings = load_settings()
    assert (settings.backend, settings.bucket, settings.idle_timeout) == ("gcs", "from-file", 5.0)
    assert settings.keys == {"upload": "U"}
    monkeypatch.setenv("SATCHEL_BUCKET", "from-env")
    settings = load_settings()
    assert settings.bucket == "from-env"
    assert settings.origin["bucket"] == "environment SATCHEL_BUCKET"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("bucket = [1, 2]", "bucket must be a string"),
        ("backend = 'azure'", "Unknown backend 'azure'"),
        ("this is not toml", "not valid TOML"),
        ("[local]\nidle_timeout = 'soon'", "idle_timeout"),
        ("[keys]\nupload = 3", "[keys]"),
    ],
)
def test_bad_config_names_the_file_and_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, needle: str
) -> None:
    path = tmp_path / "bad.toml"
    _write(path, text, monkeypatch)
    with pytest.raises(ConfigurationError) as info:
        load_settings()
    assert needle in str(info.value)
    if "Unknown backend" not in needle:
        assert str(path) in str(info.value)
    # A Client reports it on first use, as a DefaultBucketError subclass.
    with pytest.raises(DefaultBucketError):
        Client().exists("x")


def test_config_file_chooses_the_bucket_and_endpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gcs_server: GcsServer, bucket: str
) -> None:
    _write(
        tmp_path / "c.toml", f'bucket = "{bucket}"\nendpoint = "{gcs_server.url}"\n', monkeypatch
    )
    client = Client()
    client.upload_from_text("x.txt", "configured")
    assert client.describe()["backend"] == "emulator"
    assert client.describe()["bucket"] == bucket


def test_storage_emulator_host_is_honoured(
    monkeypatch: pytest.MonkeyPatch, gcs_server: GcsServer, bucket: str
) -> None:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_server.url)
    client = Client(bucket)
    client.upload_from_text("e.txt", "emulated")
    assert client.endpoint == gcs_server.url


def test_gcs_path_through_the_emulator_host(
    monkeypatch: pytest.MonkeyPatch, gcs_server: GcsServer, bucket: str
) -> None:
    # The GCS backend as chosen explicitly; no ADC here, so it goes anonymous to the endpoint.
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_server.url)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/adc.json")
    client = Client(bucket, backend="gcs")
    client.upload_from_bytes("g.bin", b"\x00gcs")
    assert client.download_as_bytes("g.bin") == b"\x00gcs"
    assert client.describe()["backend"] == "gcs"


def test_explicit_arguments_beat_the_environment(
    monkeypatch: pytest.MonkeyPatch, gcs_server: GcsServer, bucket: str
) -> None:
    monkeypatch.setenv("SATCHEL_BUCKET", "not-this-one")
    monkeypatch.setenv("SATCHEL_ENDPOINT", "http://127.0.0.1:9")
    client = Client(bucket, endpoint=gcs_server.url)
    client.upload_from_text("x", "y")
    assert client.bucket_name == bucket
