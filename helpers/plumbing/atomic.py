"""Write a file so that a reader sees the whole file or none: write beside it, then rename.

Used by helpers/dataset.py and helpers/pretrained/musicnn.py (cached arrays), helpers/plumbing/saved.py (saved
models), helpers/pretrained/transfer.py and helpers/plumbing/results.py (JSON files).
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


def write_array_atomically(file: Path, array) -> None:
    """`np.save` `array` to `file`, through a temporary file beside it: a reader sees the whole
    file or none, even if the run is killed halfway."""
    import numpy as np

    tmp = temporary_beside(file)
    try:
        with open(tmp, "wb") as handle:
            np.save(handle, array, allow_pickle=False)
        os.replace(tmp, file)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomically(file: Path, text: str) -> None:
    """Write `text` to `file` through a temporary file beside it: the whole file or none."""
    tmp = temporary_beside(file, Path(file).suffix)
    try:
        tmp.write_text(text)
        os.replace(tmp, file)
    finally:
        tmp.unlink(missing_ok=True)
