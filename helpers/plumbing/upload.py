"""Let a reader pick an audio file from their own computer, locally and on Colab.

Taught in notebooks/08_predict.ipynb ("Your own file").

Locally (Jupyter, VS Code) `choose_file` shows an ipywidgets upload button; the chosen file
reaches the kernel when the next cell asks for `chooser.path`. On Colab it opens the browser's
file dialog (`google.colab.files.upload`) and waits for the choice: ipywidgets' button there
drops files of 1 MB or more (jupyter-widgets/ipywidgets#3452), and songs are bigger.
Either way the file is saved in `folder` under its own name, never over a different file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .atomic import replace_durably, temporary_beside
from ..collection import AUDIO_EXTENSIONS


def _safe_name(name: str) -> str:
    """The file name without any folder part, so an upload cannot land outside its folder."""
    safe = Path(name.replace("\\", "/")).name.strip()
    if not safe or safe in (".", ".."):
        raise ValueError(f"not a file name: {name!r}")
    return safe


def save_upload(name: str, content: bytes, folder: Path) -> Path:
    """Write an uploaded file into `folder` and return its path.

    The same bytes under the same name are not written twice; a different file that already
    has this name keeps it, and the upload becomes `<stem> (2)<suffix>`, and so on.

    Raises:
        ValueError: the name has no audio extension the series reads (the message says which).
    """
    name = _safe_name(name)
    if Path(name).suffix.lower() not in AUDIO_EXTENSIONS:
        raise ValueError(f"{name}: not an audio file the series reads (use one of {', '.join(sorted(AUDIO_EXTENSIONS))})")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem, suffix = Path(name).stem, Path(name).suffix
    path, k = folder / name, 1
    while path.exists() and path.read_bytes() != content:
        k += 1
        path = folder / f"{stem} ({k}){suffix}"
    if not path.exists():
        tmp = temporary_beside(path)
        try:
            tmp.write_bytes(bytes(content))
            replace_durably(tmp, path)  # whole or not at all
        finally:
            tmp.unlink(missing_ok=True)
    return path


class FileChooser:
    """An upload button (locally) or the browser's file dialog (Colab); `path` is the saved file."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.button = None
        self._path = None
        if "google.colab" in sys.modules:
            from google.colab import files  # only on Colab

            print("Choose an audio file (MP3, WAV, OGG or FLAC) in the dialog below.")
            chosen = files.upload()
            for name, content in list(chosen.items())[:1]:
                self._path = save_upload(name, content, self.folder)
        else:
            import ipywidgets

            self.button = ipywidgets.FileUpload(accept=",".join(sorted(AUDIO_EXTENSIONS)), multiple=False,
                                                description="Choose a song")

    @property
    def path(self) -> Path | None:
        """The chosen file, saved in `folder`; None while nothing has been chosen."""
        if self._path is None and self.button is not None and self.button.value:
            upload = self.button.value[0]  # ipywidgets 8: a tuple of dicts with "name" and "content"
            self._path = save_upload(upload["name"], bytes(upload["content"]), self.folder)
        return self._path

    def _ipython_display_(self):
        from IPython.display import display

        display(self.button if self.button is not None else f"chosen: {self._path}")


def choose_file(folder: Path) -> FileChooser:
    """Ask the reader for an audio file: see the module's docstring. Display the result, choose,
    then read `.path` in the next cell."""
    return FileChooser(folder)
