"""Find the songs: genres are the sub-folders of the tracks folder, songs the audio files in them.

Taught in notebooks/01_listen_and_load.ipynb.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .demo import DEMO_MARKER, demo_song_paths, made_by_this_synthesiser, write_demo_collection
from .settings import PROJECT_ROOT, Settings

AUDIO_EXTENSIONS = (".mp3", ".wav", ".ogg", ".flac")
"""File endings the series reads (upper case too): formats that soundfile decodes on every platform."""

_IGNORED_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}

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


class CollectionError(ValueError):
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
    for path in sorted(p for p in tracks_dir.iterdir() if not p.is_dir() and not _ignored(p)):
        if path.suffix.lower() in AUDIO_EXTENSIONS:
            skipped.append(Skipped(path, "sits directly in the tracks folder: move it into a genre folder, tracks/<genre>/"))
    for genre_dir in sorted(p for p in tracks_dir.iterdir() if p.is_dir() and not p.name.startswith(".")
                            and p.name.lower() not in NOT_GENRES):
        found = 0
        for path in sorted(genre_dir.iterdir()):
            if _ignored(path):
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


def _ignored(path: Path) -> bool:
    return path.name.lower() in _IGNORED_NAMES or path.name.startswith(".")


def genres_of(songs: list[Song]) -> list[str]:
    """The genre names, sorted: a genre's index in this list is its label `y`."""
    return sorted({song.genre for song in songs})


def is_demo_collection(tracks_dir: Path) -> bool:
    """True when `tracks_dir` holds the synthesised demo collection (it carries a marker file)."""
    return (Path(tracks_dir) / DEMO_MARKER).exists()


def display_path(path: Path) -> str:
    """`path` relative to the series' folder when it is inside it (so outputs read the same on every machine)."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(PROJECT_ROOT)) + ("/" if path.is_dir() else "")
    except ValueError:
        return str(path)


def collection_table(songs: list[Song], tracks_dir: Path) -> str:
    """Songs per genre and their durations (read from the files' headers), as a small table.

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
    return "\n".join(lines)


def _holds_only_the_demo(tracks_dir: Path, settings: Settings) -> bool:
    """True when every entry of `tracks_dir` (hidden files and a README aside) is a demo genre
    folder holding nothing but demo songs: nothing of the reader's is there."""
    demo_names = {p.name for p in demo_song_paths(tracks_dir, settings.demo_genres, settings.demo_songs_per_genre)}
    for entry in tracks_dir.iterdir():
        if _ignored(entry) or entry.name.lower().startswith("readme"):
            continue
        if not entry.is_dir() or entry.name not in settings.demo_genres:
            return False
        if any(not _ignored(song) and song.name not in demo_names for song in entry.iterdir()):
            return False
    return True


def ensure_songs(settings: Settings) -> list[Path]:
    """Make sure there is something to listen to: synthesise the demo collection when `tracks_dir`
    is empty (hidden files and a README aside). An explicit step: every notebook calls it in
    plain sight, and `python -m helpers demo` does it from a terminal; building a dataset never does.

    A folder that holds anything of the reader's is never written to, even if it holds no
    usable songs: building the dataset then says what is missing. A demo collection that was
    interrupted (the marker file is there, some songs are not) is completed, but only while the
    folder holds nothing but the demo's genres and songs: once a reader's genre or song sits
    beside them, deleting demo songs deletes them for good. A demo collection written by another
    version of the synthesiser, or with another seed, is written again (its files are the
    synthesiser's, not the reader's), so a reader sees the songs the committed notebooks show.

    Taught in notebooks/01_listen_and_load.ipynb.

    Returns:
        The demo files written now (empty when the folder already had its songs).

    Raises:
        CollectionError: `tracks_dir` does not exist (a mistyped TRACKS_DIR gets a message, not a demo).
    """
    tracks_dir = Path(settings.tracks_dir)
    if not tracks_dir.is_dir():
        raise CollectionError(f"the tracks folder {tracks_dir} does not exist: create it (left empty, it gets the demo "
                              f"collection) or point TRACKS_DIR at the folder that holds your genre folders")
    if is_demo_collection(tracks_dir):
        if not _holds_only_the_demo(tracks_dir, settings):
            return []  # the reader's songs or genres sit beside the demo now: never write among them
        demo = demo_song_paths(tracks_dir, settings.demo_genres, settings.demo_songs_per_genre)
        if not made_by_this_synthesiser(tracks_dir, settings.seed):
            print(f"{display_path(tracks_dir)} holds a demo collection made by another version of the synthesiser "
                  f"(or with another seed): writing this version's songs in its place")
            for path in demo:  # the demo's own files only: _holds_only_the_demo checked that nothing else is there
                path.unlink(missing_ok=True)
            (tracks_dir / DEMO_MARKER).unlink()
        elif all(p.exists() for p in demo):
            return []
    elif any(not _ignored(p) and not p.name.lower().startswith("readme") for p in tracks_dir.iterdir()):
        return []  # the reader's folder (even one that cannot make a dataset): never write into it
    return write_demo_collection(tracks_dir, settings.demo_genres, settings.demo_songs_per_genre, settings.seed)
