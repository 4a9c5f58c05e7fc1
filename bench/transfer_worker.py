"""One large transfer in a fresh process, reporting its time and its peak RSS growth.

    python -m bench.transfer_worker WHO OP URL BUCKET NAME PATH
WHO: satchel | raw; OP: upload | download | preview-big | preview-small
"""

from __future__ import annotations

import json
import sys
import time

from bench.common import raw_client, vm_hwm


def main() -> None:
    who, op, url, bucket, name, path = sys.argv[1:7]
    if who == "satchel":
        from storage import Client

        client = Client(bucket, endpoint=url, timeout=60, retry_deadline=60)
        client.exists("warm-up")
        actions = {
            "upload": lambda: client.upload_from_filename(name, path),
            "download": lambda: client.download_to_filename(name, path),
            # What the browser does to preview: metadata, then the head (or the whole small text).
            "preview-big": lambda: (client.stat(name), client.read_range(name, 0, 512 * 1024)),
            "preview-small": lambda: (client.stat(name), client.download_as_text(name)),
        }
    else:
        bucket_handle = raw_client(url).bucket(bucket)
        bucket_handle.blob("warm-up").exists()
        actions = {
            "upload": lambda: bucket_handle.blob(name).upload_from_filename(path),
            "download": lambda: bucket_handle.blob(name).download_to_filename(path),
        }
    before = vm_hwm()
    start = time.perf_counter()
    actions[op]()
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "growth": vm_hwm() - before}))


if __name__ == "__main__":
    main()
