"""Writing pulled secrets to a file: readable by its owner only, and whole or
not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from junction_cli.errors import UsageProblem


def write_private(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` with mode 0600, atomically: a reader (a
    container starting, a poller's next pull) sees the old file or the new
    one, never a part. The temporary file is made 0600 by mkstemp, so the
    secrets are never readable by others, not even for a moment; it lives in
    the same folder, as os.replace only renames within one file system."""
    folder = path.parent
    try:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise UsageProblem(f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise UsageProblem(f"cannot write {path}: {error.strerror}") from None
