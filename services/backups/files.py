"""A backup file appears complete or not at all, so a failed run never leaves a half file that looks like a backup
(nor destroys the previous backup it was asked to replace)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def written_atomically(path: Path) -> Iterator[Path]:
    """A temporary path beside `path`, renamed to `path` when the block ends without error, removed otherwise."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partiel", dir=path.parent)
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
