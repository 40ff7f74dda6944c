"""The identity of the running code: pages built by an older deployment reload themselves."""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _fingerprint() -> str:
    digest = hashlib.blake2b(digest_size=6)
    try:
        digest.update(version("greenwall").encode())
    except PackageNotFoundError:
        digest.update(b"source")
    # Code and assets both change what a page shows; their contents decide the build id.
    for folder in ("dashboard", "layouts", "callbacks", "datasources", "assets"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in {".py", ".js", ".css", ".lua"}:
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


BUILD_ID = _fingerprint()
