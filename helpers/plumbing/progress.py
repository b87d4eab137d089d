"""A progress count that updates in place and is left finished.

In a notebook it is one line of text, updated through its display id, so the saved notebook
shows the final count ("songs: 32 of 32") rather than a bar frozen at 0 % (a tqdm widget's
state is not saved with the notebook). In a terminal it is tqdm's bar.

Used by helpers/dataset.py (notebook 04 onwards).
"""

from __future__ import annotations

import time


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class _Text:
    """Shown as its text, without the quotes a str would get."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


class Progress:
    """`with Progress(total, "songs") as bar: ... bar.update()`; disabled when `enabled` is False."""

    def __init__(self, total: int, desc: str, unit: str = "", enabled: bool = True):
        self.total, self.desc, self.unit, self.done = total, desc, unit, 0
        self._bar = self._handle = None
        self._shown = 0.0
        if not enabled:
            return
        if _in_notebook():
            from IPython.display import display

            self._handle = display(_Text(self._text()), display_id=True)
        else:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=desc, unit=unit)

    def _text(self) -> str:
        return f"{self.desc}: {self.done} of {self.total}"

    def update(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        elif self._handle is not None and time.monotonic() - self._shown > 0.2:  # not more often: each update is a message
            self._handle.update(_Text(self._text()))
            self._shown = time.monotonic()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self._handle is not None:
            self._handle.update(_Text(self._text()))  # left finished
