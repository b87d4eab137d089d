"""Find the songs: genres are the sub-folders of the tracks folder, songs the audio files in them.

Taught in notebooks/01_listen_and_load.ipynb.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .plumbing.errors import InputError
from .settings import PROJECT_ROOT

AUDIO_EXTENSIONS = (".mp3", ".wav", ".ogg", ".flac")
"""File endings the series reads (upper case too): formats that soundfile decodes on every platform."""

_IGNORED_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}

DEMO_MARKER = ".demo_collection"
"""A file the synthesiser (helpers/data/demo.py) leaves in the tracks folder, so an interrupted run is completed,
not mistaken for the reader's songs."""

NOT_GENRES = ("licenses",)
"""Folder names (any case) in a tracks folder that are not genres: the licences of the songs
(`LICENSES/`, written beside the open-music collection, notebooks/10_real_music.ipynb)."""


@dataclass(frozen=True)
class Song:
    """One audio file and the genre (folder) it belongs to."""

    path: Path
    genre: str

    @property
    def name(self) -> str:
        return self.path.stem


@dataclass(frozen=True)
class Skipped:
    """A file the series does not use, and why (shown to the reader, one line each)."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"skipped {self.path}: {self.reason}"


class CollectionError(InputError):
    """The tracks folder cannot make a dataset; the message names the folder and what is missing."""


def find_songs(tracks_dir: Path) -> tuple[list[Song], list[Skipped]]:
    """List the songs in `tracks_dir/<genre>/`, sorted by genre then file name.

    Files that are not audio (cover art, notes, `.DS_Store`, hidden files) and sub-folders
    inside a genre folder are reported as skipped, with the reason.

    Returns:
        songs: every audio file, with its genre.
        skipped: every other entry inside a genre folder, with a reason.
    """
    tracks_dir = Path(tracks_dir)
    if not tracks_dir.is_dir():
        raise CollectionError(f"the tracks folder {tracks_dir} does not exist: make it, with one sub-folder per genre")
    songs, skipped = [], []
    for path in sorted(p for p in tracks_dir.iterdir() if not p.is_dir() and not is_ignored(p)):
        if path.suffix.lower() in AUDIO_EXTENSIONS:
            skipped.append(Skipped(path, "sits directly in the tracks folder: move it into a genre folder, tracks/<genre>/"))
    for genre_dir in sorted(p for p in tracks_dir.iterdir() if p.is_dir() and not p.name.startswith(".")
                            and p.name.lower() not in NOT_GENRES):
        found = 0
        for path in sorted(genre_dir.iterdir()):
            if is_ignored(path):
                continue  # written by the operating system or hidden, never a song: not worth a line
            if path.is_dir():
                skipped.append(Skipped(path, "a folder inside a genre folder (songs must sit directly in the genre folder)"))
            elif path.suffix.lower() not in AUDIO_EXTENSIONS:
                skipped.append(Skipped(path, f"not an audio file (the series reads {', '.join(AUDIO_EXTENSIONS)})"))
            else:
                songs.append(Song(path, genre_dir.name))
                found += 1
        if not found:
            skipped.append(Skipped(genre_dir, "an empty genre folder: no audio files in it"))
    return songs, skipped


def is_ignored(path: Path) -> bool:
    return path.name.lower() in _IGNORED_NAMES or path.name.startswith(".")


def genres_of(songs: list[Song]) -> list[str]:
    """The genre names, sorted: a genre's index in this list is its label `y`."""
    return sorted({song.genre for song in songs})


def is_demo_collection(tracks_dir: Path) -> bool:
    """True when `tracks_dir` holds the synthesised demo collection (it carries a marker file)."""
    return (Path(tracks_dir) / DEMO_MARKER).exists()


def display_path(path: Path) -> str:
    """`path` relative to the series' folder when it is inside it (so outputs read the same on every machine),
    as it is named there: a folder linked into the series (`tracks -> ~/Music/genres`) reads `tracks/`."""
    for candidate in (Path(os.path.abspath(path)), Path(path).resolve()):  # as named, then with links followed
        try:
            return str(candidate.relative_to(PROJECT_ROOT)) + ("/" if candidate.is_dir() else "")
        except ValueError:
            continue
    return str(Path(path).resolve())


SONGS_PER_GENRE_NEEDED = 5
"""What the whole series needs of each genre: notebook 07's three-fold cross-validation by song
tests at least one song of every genre per fold and trains and validates on the others (the single
split of notebook 04 works from 3, `helpers.split.MIN_SONGS_PER_GENRE`)."""


def collection_table(songs: list[Song], tracks_dir: Path) -> str:
    """Songs per genre and their durations (read from the files' headers), as a small table, and
    a line for each genre with fewer than `SONGS_PER_GENRE_NEEDED` songs: said at notebook 01,
    not found out at notebook 07.

    Taught in notebooks/01_listen_and_load.ipynb.
    """
    import soundfile as sf

    kind = "the synthesised demo collection" if is_demo_collection(tracks_dir) else "your songs"
    lines = [f"tracks folder: {display_path(tracks_dir)} ({kind})",
             f"{'genre':<16}{'songs':>6}{'minutes':>9}{'shortest':>10}{'longest':>9}"]
    for genre in genres_of(songs):
        seconds = []
        for song in songs:
            if song.genre == genre:
                try:
                    seconds.append(sf.info(song.path).duration)
                except (RuntimeError, OSError, ValueError):
                    pass  # unreadable files are reported when the dataset is built
        if seconds:
            lines.append(f"{genre:<16}{len(seconds):>6}{sum(seconds) / 60:>9.1f}{min(seconds):>9.1f}s{max(seconds):>8.1f}s")
    for genre in genres_of(songs):
        count = sum(song.genre == genre for song in songs)
        if count < SONGS_PER_GENRE_NEEDED:
            lines.append(f"too few songs: {genre!r} has {count}; the series needs at least {SONGS_PER_GENRE_NEEDED} per genre "
                         f"(notebook 07 cross-validates by song), so add {SONGS_PER_GENRE_NEEDED - count} to "
                         f"{display_path(Path(tracks_dir) / genre)}")
    return "\n".join(lines)
