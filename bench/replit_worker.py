"""Runs inside bench/.venv-replit (google-cloud-storage 2.x + replit-object-storage 1.0.2).

Replit's Client reaches GCS through identity-pool credentials from the Replit sidecar. Here its
private google-cloud-storage client is swapped for an anonymous one on the local server; every
method call then runs Replit's own code path. Protocol: one JSON command per stdin line,
one JSON answer per stdout line.
"""

import json
import os
import resource
import sys
import tempfile
import time

from google.auth.credentials import AnonymousCredentials
from google.cloud import storage as gcs
from replit.object_storage import Client


def make(url, bucket):
    client = Client(bucket_id=bucket)
    client._Client__gcs_client = gcs.Client(
        project="bench", credentials=AnonymousCredentials(), client_options={"api_endpoint": url}
    )
    client._Client__gcs_bucket_handle = None
    return client


def calls(client, tmp):
    src = os.path.join(tmp, "src.bin")
    with open(src, "wb") as fh:
        fh.write(b"x" * 1024)
    dest = os.path.join(tmp, "dest.bin")
    return {
        "copy": lambda: client.copy("bench/small.txt", "bench/copy-replit.txt"),
        "delete": lambda: (
            client.upload_from_bytes("bench/del-replit", b"x"),
            client.delete("bench/del-replit"),
        ),
        "download_as_bytes": lambda: client.download_as_bytes("bench/small.txt"),
        "download_as_text": lambda: client.download_as_text("bench/small.txt"),
        "download_to_filename": lambda: client.download_to_filename("bench/small.txt", dest),
        "exists": lambda: client.exists("bench/small.txt"),
        "list": lambda: client.list(prefix="bench/list/"),
        "upload_from_filename": lambda: client.upload_from_filename("bench/up-replit.bin", src),
        "upload_from_bytes": lambda: client.upload_from_bytes("bench/up-replit.bin", b"x" * 1024),
        "upload_from_text": lambda: client.upload_from_text("bench/up-replit.txt", "x" * 1024),
    }


def main():
    tmp = tempfile.mkdtemp()
    client = None
    table = {}
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["op"] == "init":
            client = make(cmd["url"], cmd["bucket"])
            table = calls(client, tmp)
            answer = {"ok": True}
        elif cmd["op"] == "run":
            fn = table[cmd["method"]]
            times = []
            for _ in range(cmd["n"]):
                start = time.perf_counter()
                fn()
                times.append(time.perf_counter() - start)
            answer = {"times": times}
        elif cmd["op"] == "download_as_bytes_rss":
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            start = time.perf_counter()
            data = client.download_as_bytes(cmd["name"])
            seconds = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            answer = {"seconds": seconds, "growth": after - before, "size": len(data)}
            del data
        else:
            answer = {"error": "unknown op"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
