"""Write a file so that a reader sees the whole file or none: write beside it, flush it to the
disk, then rename; and let one process at a time change a file that several may write.

Used by helpers/dataset.py and helpers/pretrained/musicnn.py (cached arrays), helpers/plumbing/saved.py (saved
models and folds), helpers/pretrained/transfer.py and helpers/plumbing/results.py (JSON files), the demo
and uploads. tests/test_nothing_lost.py kills each writer at the worst moment.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from pathlib import Path


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or a system that cannot say: leave its files alone
    return True


def remove_stale_temporaries(path: Path, suffix: str = ".tmp") -> list[Path]:
    """Remove the temporary files that `temporary_beside(path, suffix)` made for processes no longer
    running (a run killed between writing and renaming). Only that shape of name, for this `path`."""
    path = Path(path)
    shape = re.compile(re.escape(f".{path.stem}.") + r"(\d+)-\d+-\d+" + re.escape(suffix))
    removed = []
    if path.parent.is_dir():
        for entry in path.parent.iterdir():
            match = shape.fullmatch(entry.name)
            if match and int(match.group(1)) != os.getpid() and not _running(int(match.group(1))):
                entry.unlink(missing_ok=True)
                removed.append(entry)
    return removed


def temporary_beside(path: Path, suffix: str = ".tmp") -> Path:
    """A new, empty, hidden file in `path`'s folder, to be renamed onto `path` once written.

    Created with the permissions every new file gets (0666 less the umask), unlike
    `tempfile.mkstemp`'s 0600, so a cache or model shared with others stays readable by them.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path, suffix)  # the owner of `path` cleans what a killed run of it left
    for attempt in range(1000):
        tmp = path.with_name(f".{path.stem}.{os.getpid()}-{threading.get_ident()}-{attempt}{suffix}")
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            return tmp
        except FileExistsError:
            continue  # left behind by a run that was killed: take the next name
    raise FileExistsError(f"no free temporary name beside {path}")


def replace_durably(tmp: Path, path: Path) -> None:
    """Rename the written file `tmp` onto `path`, its bytes on the disk first (fsync), and the rename
    too where the system allows: after a power cut `path` holds the old file or the new, never an
    empty one (a rename can reach the disk before the data it points to)."""
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    with contextlib.suppress(OSError):  # folders cannot be opened on Windows
        folder = os.open(Path(path).parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


@contextlib.contextmanager
def locked(path: Path):
    """Only one process at a time inside this block for `path`: for read-change-write of a file that
    several runs may write (folds of a cross-validation, recorded results). The lock is an advisory
    lock on a hidden `.<name>.lock` beside `path`, released when the block ends or the process dies."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # Windows
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def write_array_atomically(file: Path, array) -> None:
    """`np.save` `array` to `file`, through a temporary file beside it: a reader sees the whole
    file or none, even if the run is killed halfway."""
    import numpy as np

    tmp = temporary_beside(file)
    try:
        with open(tmp, "wb") as handle:
            np.save(handle, array, allow_pickle=False)
        replace_durably(tmp, file)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomically(file: Path, text: str) -> None:
    """Write `text` to `file` through a temporary file beside it: the whole file or none."""
    tmp = temporary_beside(file, Path(file).suffix)
    try:
        tmp.write_text(text)
        replace_durably(tmp, file)
    finally:
        tmp.unlink(missing_ok=True)
