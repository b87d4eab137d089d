"""Which songs belong together: the source of a song (its game, artist or album) and its
near-duplicate family (a tune and its variants: `celtic` and `celtic_fast`).

Both are read from the file name, so they work on any folder: the open-music collection names
its files `<game>__<tune>.ogg`, a reader's own folder often `artist - title.mp3`. A song whose
name says nothing is its own source and its own family.

Why it matters (notebooks/10_real_music.ipynb): pieces of one song in training and test leak
(notebook 04); a tune and its faster last-lap version are the same leak one level up, so they
always go to the same side of a split. And a model that learned a game's production (its
instruments, its mixing, its encoder) instead of its mood is only found out when whole
sources are held out: the "artist effect".

Taught in notebooks/10_real_music.ipynb.
"""

from __future__ import annotations

import re
from pathlib import PurePath

import numpy as np

SOURCE_SEPARATORS = ("__", " - ")
"""What separates the source from the title in a file name, in the order they are tried:
`<game>__<tune>` (the open-music collection), then `artist - title` (a reader's own files)."""

VARIANT_SUFFIX = re.compile(
    r"(?:[ _-]+(?:fast|f|slow|remix|radio[ _-]edit|extended[ _-]mix|instrumental|reprise|remaster(?:ed)?)"
    r"|\s*[(\[][^)\]]*[)\]])$", re.IGNORECASE)
"""A title's ending that marks a variant of another tune: `_fast` (SuperTuxKart's last lap),
`_f`, ` (Remix)`, ` [Live]`, `-instrumental`, ... Removed (repeatedly) to find the family."""


def _stem(name: str) -> str:
    """`name` without folders and without its audio ending: "rock/A - B.mp3" -> "A - B"."""
    return PurePath(name).stem


def song_source(name: str) -> str:
    """The source of a song, from its file name: what comes before `__` or ` - `, or else the
    song itself (one source per song when nothing is known).

    Taught in notebooks/10_real_music.ipynb.

    Examples:
        "dramatic/widelands__ingame_03.ogg" -> "widelands"; "Nina Simone - Sinnerman.mp3" ->
        "Nina Simone"; "my song.wav" -> "my song".
    """
    return _source_and_title(name)[0]


def song_title(name: str) -> str:
    """The title of a song: its file name without the source (see `song_source`) and ending."""
    return _source_and_title(name)[1]


def _source_and_title(name: str) -> tuple[str, str]:
    """(source, title) split at the first separator that has text on both sides; else (stem, stem)."""
    stem = _stem(name)
    for separator in SOURCE_SEPARATORS:
        source, found, title = stem.partition(separator)
        if found and source.strip() and title.strip():
            return source.strip(), title.strip()
    return stem, stem


def variant_family(name: str) -> str:
    """The near-duplicate family of a song: "<source>/<title without variant endings>", lower case.
    A tune and its variants ("supertuxkart__celtic.ogg", "supertuxkart__celtic_fast.ogg") share it.

    Taught in notebooks/10_real_music.ipynb.
    """
    title = song_title(name)
    while True:
        shorter = VARIANT_SUFFIX.sub("", title).strip()
        if not shorter or shorter == title:
            break
        title = shorter
    return f"{song_source(name)}/{title}".lower()


def family_groups(groups: np.ndarray, song_names: list[str]) -> tuple[np.ndarray, list[str], list[str]]:
    """Per piece, the index of its song's near-duplicate family instead of its song.

    The split functions of helpers/split.py deal out whatever `groups` numbers, so given these
    they deal out families: a tune and its variants always land on the same side. A family is
    kept within one genre folder (its name starts with the genre), so each family has one label.

    Taught in notebooks/10_real_music.ipynb.

    Args:
        groups: array of shape (pieces,): the song index of each piece (`Dataset.groups`).
        song_names: per song index, "<genre>/<file name>" (`Dataset.song_names`).

    Returns:
        family_of_piece: array of shape (pieces,), the family index of each piece.
        family_names: per family index, "<genre>/<source>/<title>" (lower case), the name that seeds its place.
        family_sources: per family index, its source (`song_source`).
    """
    keys = [f"{PurePath(name).parent.as_posix()}/{variant_family(name)}" for name in song_names]
    family_names = sorted(set(keys))
    index = {key: i for i, key in enumerate(family_names)}
    of_song = np.array([index[key] for key in keys], dtype=int)
    family_sources = [""] * len(family_names)
    for name, family in zip(song_names, of_song):
        family_sources[family] = song_source(name)
    return of_song[np.asarray(groups, dtype=int)], family_names, family_sources


def source_of_songs(song_names: list[str]) -> list[str]:
    """Per song index, its source (`song_source` of its file name)."""
    return [song_source(name) for name in song_names]
