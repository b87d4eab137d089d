"""Write a file so that a reader sees the whole file or none: write beside it, then rename.

Used by helpers/dataset.py (the feature cache) and helpers/train.py (saved models).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path


def temporary_beside(path: Path, suffix: str = ".tmp") -> Path:
    """A new, empty, hidden file in `path`'s folder, to be renamed onto `path` once written.

    Created with the permissions every new file gets (0666 less the umask), unlike
    `tempfile.mkstemp`'s 0600, so a cache or model shared with others stays readable by them.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1000):
        tmp = path.with_name(f".{path.stem}.{os.getpid()}-{threading.get_ident()}-{attempt}{suffix}")
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            return tmp
        except FileExistsError:
            continue  # left behind by a run that was killed: take the next name
    raise FileExistsError(f"no free temporary name beside {path}")
