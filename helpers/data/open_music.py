"""Real music in one command: an openly licensed two-genre collection from Debian's game packages.

Debian (and so Ubuntu, and Google Colab) carries free-software games whose soundtracks are
real, professionally made music under free licences, fetched by package name with
`apt-get download`. `fetch_open_music` (or `python -m helpers fetch-open-music`) downloads eight of
those packages into a cache, unpacks only their music (`dpkg-deb --fsys-tarfile`, read as a tar
stream: the packages hold gigabytes of other game data), keeps the soundtracks of at least 30 s,
and writes them as `<folder>/<genre>/<game>__<tune>.ogg`, with each package's copyright file in
`<folder>/LICENSES/<package>.txt`.

Taught in notebooks/10_real_music.ipynb.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..plumbing.errors import InputError
from ..settings import PROJECT_ROOT
from ..sources import variant_family

COLLECTION = {
    "dramatic": ("widelands-data", "megaglest-data", "flare-game", "marsshooter-data"),
    "silly_energy": ("supertuxkart-data", "extremetuxracer-data", "frozen-bubble-data", "xmoto-data"),
}
"""Genre -> the Debian packages whose soundtracks make it: orchestral, mostly minor-key strategy and
role-playing scores and a space shooter's dark symphonic metal; upbeat, bright racing and arcade
tunes. Why each game is where it is (and why others stay out): tracks/README.md and the audit in
benchmarks/open_music_audit/."""

DOWNLOAD_MB = {"widelands-data": 381, "megaglest-data": 242, "flare-game": 122, "marsshooter-data": 68,
               "supertuxkart-data": 628, "extremetuxracer-data": 41, "frozen-bubble-data": 22, "xmoto-data": 32}
"""Each package's download in MB (Debian 12), said before a download when apt cannot tell."""

MIN_SECONDS = 30.0
"""Shorter files are jingles (a lap won, a race lost), not soundtracks."""

MUSIC_FOLDERS = ("music", "musics")
"""The folder names (any case) that hold a package's soundtrack: `music/` or xmoto's `Musics/`."""

MUSIC_FILES = {
    "pushover-data": ("themes/*.ogg",),
    "frozen-bubble-data": ("snd/*zik*.ogg",),  # "zik": French slang for music; the rest of snd/ is sound effects
    "hex-a-hop-data": ("music-*.ogg",),
    "openclonk-data": ("Music.ocg/*.ogg",),
}
"""Packages that keep their soundtrack elsewhere than in a music folder: the files that are music."""

DEFAULT_FOLDER = PROJECT_ROOT / "open_music"
"""Where `python -m helpers fetch-open-music` writes the collection unless told otherwise."""

MARKER = ".open_music.json"
"""The file that marks a complete open-music collection: what was written, from which packages."""


class OpenMusicError(InputError):
    """The collection cannot be fetched here; the message says why and what to do instead."""


@dataclass
class Fetched:
    """What `fetch_open_music` did.

    Attributes:
        songs: genre -> the file names written in `<folder>/<genre>/`.
        dropped: one line per music file not kept, with the reason (too short, a duplicate, a variant).
        seconds: genre -> the total duration of its songs, in seconds.
        downloaded: packages downloaded now (the others came from the cache).
        durations: file name -> seconds, per song.
        packages: package -> the .deb it came from (its version).
    """

    songs: dict[str, list[str]] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    downloaded: list[str] = field(default_factory=list)
    durations: dict[str, float] = field(default_factory=dict)
    packages: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        lines = [f"{'genre':<16}{'songs':>6}{'minutes':>9}"]
        for genre, names in self.songs.items():
            lines.append(f"{genre:<16}{len(names):>6}{self.seconds[genre] / 60:>9.1f}")
        return "\n".join(lines)


def game_name(package: str) -> str:
    """The game a package belongs to, as it appears in file names: "supertuxkart-data" -> "supertuxkart"."""
    return package.removesuffix("-data")


def is_music(member: str, package: str = "") -> bool:
    """True for an OGG file of the package's soundtrack: one that `MUSIC_FILES` names for the
    package, else any inside a `music/` or `Musics/` folder."""
    path = PurePosixPath(member)
    if package in MUSIC_FILES:
        return any(path.match(pattern) for pattern in MUSIC_FILES[package])
    return path.suffix.lower() == ".ogg" and any(part.lower() in MUSIC_FOLDERS for part in path.parts[:-1])


def _needs(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        raise OpenMusicError(
            f"fetch-open-music needs `{tool}` (apt-get and dpkg-deb: Debian, Ubuntu, and so Google Colab, where it "
            f"works as it is); it is not on this computer. Run it on Colab, or use any folder of your own songs "
            f"instead: tracks/<genre>/*.mp3 (README.md, \"Your own songs\").")
    return found


def cached_package(package: str, cache: Path) -> Path | None:
    """The package's .deb in the download cache (the newest, by name), or None."""
    found = sorted(Path(cache).glob(f"{package}_*.deb"))
    return found[-1] if found else None


def package_megabytes(package: str) -> int:
    """The package's download size in MB, as apt says (else the size in DOWNLOAD_MB)."""
    try:
        shown = subprocess.run(["apt-cache", "show", "--no-all-versions", package], capture_output=True, text=True,
                               timeout=60).stdout
        size = re.search(r"^Size: (\d+)$", shown, re.MULTILINE)
        if size:
            return round(int(size.group(1)) / 1e6)
    except (OSError, subprocess.SubprocessError):
        pass
    return DOWNLOAD_MB.get(package, 0)


PARTIAL = re.compile(r"\.(?P<name>[a-z0-9][a-z0-9+._-]*)\.[a-z0-9_]{8}\.partial")
"""The name of a temporary folder this module makes (`tempfile.mkdtemp`: prefix `.<name>.`, eight random
characters, suffix `.partial`): a package's download in the cache (`.xmoto-data.k3j_9x2a.partial`), the
staged collection in the tracks folder (`.open_music.q0w8e7r6.partial`)."""


def remove_partials(folder: Path, names: list[str] | tuple[str, ...]) -> list[Path]:
    """Remove the temporary folders an earlier, killed run left in `folder` for these names.

    A run that is killed (a kernel restarted mid-download) cannot clean up after itself: its
    `.<name>.<random>.partial` folder stays, with as much of the download as had arrived. Only
    folders of exactly that shape, for one of `names`, are removed; nothing else in `folder` is
    touched. Runs of the fetch are not meant to overlap on one cache or tracks folder: one
    started while another is still downloading would remove that one's folder.

    Returns:
        The folders removed.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = []
    for entry in sorted(folder.iterdir()):
        match = PARTIAL.fullmatch(entry.name)
        if match and match.group("name") in names and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _apt_download(package: str, folder: Path, megabytes: int, progress: bool) -> subprocess.CompletedProcess:
    """`apt-get download package` in `folder`, with a progress bar that watches the file grow."""
    from tqdm.auto import tqdm

    with tempfile.TemporaryFile("w+") as log, \
            tqdm(total=megabytes, unit="MB", desc=package, disable=not progress) as bar:
        process = subprocess.Popen(["apt-get", "download", package], cwd=folder, stdout=log, stderr=subprocess.STDOUT,
                                   text=True)
        try:
            while process.poll() is None:
                time.sleep(0.25)
                done = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6
                bar.update(max(0, min(round(done), megabytes) - bar.n))
        except BaseException:
            process.kill()  # interrupted: stop apt, its partial file is removed with the folder
            process.wait()
            raise
        bar.update(max(0, megabytes - bar.n) if process.returncode == 0 else 0)
        log.seek(0)
        return subprocess.CompletedProcess(process.args, process.returncode, log.read())


def download_package(package: str, cache: Path, progress: bool = True) -> Path:
    """The package's .deb: from the download cache, else downloaded there with `apt-get download`.

    The download goes into a temporary folder inside the cache and is moved into the cache only
    once complete, so an interrupted or failed download leaves nothing behind; a killed run's
    temporary folder for the package is removed by the next call (`remove_partials`). When apt does not
    know the package and this runs as root (Colab), its package lists are updated once and the
    download tried again.

    Raises:
        OpenMusicError: apt-get is missing, or the package cannot be downloaded (apt's reason).
    """
    cache = Path(cache)
    remove_partials(cache, [package])
    found = cached_package(package, cache)
    if found:
        return found
    _needs("apt-get")
    cache.mkdir(parents=True, exist_ok=True)
    megabytes = package_megabytes(package)
    for attempt in range(2):
        folder = Path(tempfile.mkdtemp(prefix=f".{package}.", suffix=".partial", dir=cache))
        try:
            result = _apt_download(package, folder, megabytes, progress)
            debs = sorted(folder.glob(f"{package}_*.deb"))
            if result.returncode == 0 and debs:
                target = cache / debs[-1].name
                os.replace(debs[-1], target)
                return target
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        unknown = "Unable to locate package" in result.stdout or "has no installation candidate" in result.stdout
        if attempt == 0 and unknown and hasattr(os, "geteuid") and os.geteuid() == 0:
            print("apt does not know the package yet: updating its package lists (apt-get update)")
            subprocess.run(["apt-get", "update", "-qq"], capture_output=True)
            continue
        break
    reasons = [line for line in result.stdout.splitlines() if line.startswith("E:")] or result.stdout.splitlines()[-1:]
    hint = " (run `sudo apt-get update` once, then again)" if unknown else ""
    raise OpenMusicError(f"apt-get could not download {package}: {'; '.join(reasons) or 'no reason given'}{hint}")


def unpack_music(deb: Path, folder: Path) -> tuple[list[tuple[str, Path]], Path | None]:
    """Unpack only the music and the copyright file of a .deb into `folder`.

    `dpkg-deb --fsys-tarfile` streams the package's files as a tar archive; only the members in a
    music folder (`is_music`) and `usr/share/doc/<package>/copyright` are written, the rest is
    skipped as it streams by.

    Returns:
        music: (path inside the package, unpacked file) of each music file, in the package's order.
        copyright: the unpacked copyright file, or None when the package has none.
    """
    _needs("dpkg-deb")
    package = Path(deb).name.split("_")[0]
    folder = Path(folder)
    (folder / "music").mkdir(parents=True, exist_ok=True)
    music, copyright_file = [], None
    process = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        with tarfile.open(fileobj=process.stdout, mode="r|") as archive:
            for member in archive:
                name = member.name.removeprefix("./")
                if not member.isfile():
                    continue
                if is_music(name, package):
                    target = folder / "music" / f"{len(music):04d}.ogg"
                elif name == f"usr/share/doc/{package}/copyright":
                    target = folder / "copyright"
                else:
                    continue
                with archive.extractfile(member) as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out)
                if target.name == "copyright":
                    copyright_file = target
                else:
                    music.append((name, target))
    except tarfile.TarError as error:
        raise OpenMusicError(f"{deb} cannot be unpacked ({error}); delete it so that it is downloaded again") from error
    finally:
        process.stdout.close()
        error_text = process.stderr.read().decode(errors="replace")
        process.wait()
    if process.returncode != 0:
        raise OpenMusicError(f"dpkg-deb cannot read {deb} ({error_text.strip()}); delete it so that it is downloaded "
                             f"again")
    return music, copyright_file


def tune_names(members: list[str]) -> list[str]:
    """A file name for each music file of one package: its own name, or, where two files of the
    package share a name, the name of the folder above its music folder too ("egypt_menu")."""
    stems = [PurePosixPath(m).stem for m in members]
    names = []
    for member, stem in zip(members, stems):
        if stems.count(stem) > 1:
            parts = PurePosixPath(member).parts
            music = max(i for i, part in enumerate(parts[:-1]) if part.lower() in MUSIC_FOLDERS)
            stem = f"{parts[music - 1]}_{stem}" if music > 0 else stem
        names.append(stem)
    return names


def select_songs(game: str, music: list[tuple[str, Path]], min_seconds: float = MIN_SECONDS
                 ) -> tuple[list[tuple[str, Path, float]], list[str]]:
    """The soundtrack files worth keeping, named `<game>__<tune>.ogg`.

    Kept: files of at least `min_seconds`. Dropped, each with its reason: shorter ones
    (jingles), exact copies of a kept file (same bytes under another name), and near-duplicate
    variants (`celtic_fast` beside `celtic`, see helpers/sources.py): a tune and its variant are
    one song, and kept as two they would leak from training into test like pieces of one song.

    Returns:
        kept: (file name, unpacked file, seconds) per song.
        dropped: one line per file not kept, with the reason.
    """
    import soundfile as sf

    named = sorted(zip((f"{game}__{tune}.ogg" for tune in tune_names([m for m, _ in music])), music),
                   key=lambda item: (variant_family(item[0]), len(item[0]), item[0]))
    kept, dropped, digests, families = [], [], {}, {}
    for name, (member, path) in named:  # plain tunes before their longer-named variants
        try:
            seconds = sf.info(path).duration
        except (RuntimeError, OSError, ValueError) as error:
            dropped.append(f"{member}: unreadable ({error})")
            continue
        if seconds < min_seconds:
            dropped.append(f"{member}: {seconds:.0f} s, shorter than {min_seconds:.0f} s")
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in digests:
            dropped.append(f"{member}: the same file as {digests[digest]}")
            continue
        family = variant_family(name)
        if family in families:
            dropped.append(f"{member}: a variant of {families[family]} (one song: kept once, so it cannot leak)")
            continue
        digests[digest], families[family] = name, name
        kept.append((name, path, seconds))
    return sorted(kept), dropped


def _check_folder(tracks: Path) -> dict | None:
    """The manifest of an open-music collection already in `tracks`, None for an empty or new folder.

    Raises:
        OpenMusicError: `tracks` holds something else (the demo collection, the reader's songs).
    """
    if not tracks.exists():
        return None
    if (tracks / MARKER).is_file():
        try:
            return json.loads((tracks / MARKER).read_text())
        except ValueError:
            return {}
    if any(not entry.name.startswith(".") for entry in tracks.iterdir()):
        raise OpenMusicError(f"{tracks} already holds other files: fetch the open-music collection into an empty or new "
                             f"folder (--tracks DIR), never among other songs")
    return None


def fetch_open_music(tracks: Path = DEFAULT_FOLDER, cache: Path | None = None, collection: dict | None = None,
                     min_seconds: float = MIN_SECONDS, progress: bool = True) -> Fetched:
    """Build the open-music collection in `tracks`: `<genre>/<game>__<tune>.ogg` and `LICENSES/<package>.txt`.

    Every package is downloaded once into `cache` (default: `.cache/debs`) and reused after.
    Everything is first written into a hidden folder inside `tracks` and moved into place only
    when every package has been unpacked, so a failure (a package gone, a full disk, an
    interruption) leaves nothing half-written; a complete collection carries a marker file
    (MARKER) and is not unpacked again. A killed run (which cannot clean up) leaves hidden
    `.<name>.<random>.partial` folders in `tracks` and `cache`: each run first removes those of
    its own making (`remove_partials`), and nothing else.

    Taught in notebooks/10_real_music.ipynb.

    Raises:
        OpenMusicError: apt-get or dpkg-deb is missing (not Debian, Ubuntu or Colab), a package
            cannot be downloaded, or `tracks` holds other files.
    """
    tracks = Path(tracks)
    cache = Path(cache) if cache is not None else PROJECT_ROOT / ".cache" / "debs"
    collection = collection or COLLECTION
    packages = [package for genre in collection.values() for package in genre]
    manifest = _check_folder(tracks)
    remove_partials(tracks, ["open_music"])
    remove_partials(tracks.parent, ["open_music"])  # a killed fetch that was creating `tracks` staged it beside
    remove_partials(cache, packages)
    if manifest and manifest.get("packages") == packages and all(
            (tracks / genre / name).is_file() for genre, names in manifest["songs"].items() for name in names):
        print(f"{tracks} already holds the open-music collection")
        return Fetched(manifest["songs"], manifest["dropped"], manifest["seconds"],
                       durations=manifest.get("durations", {}), packages=manifest.get("debs", {}))
    _needs("dpkg-deb")
    missing = [p for p in packages if cached_package(p, cache) is None]
    if missing:
        _needs("apt-get")
        total = sum(package_megabytes(p) for p in missing)
        size = f"{total / 1000:.1f} GB" if total >= 1000 else f"{total} MB"
        print(f"Downloading {len(missing)} package(s), about {size}, into {cache} (kept there: never downloaded "
              f"again); only their music is unpacked.")
    created = not tracks.exists()
    if created:  # built beside it, then moved into place in one rename: the folder appears whole or not at all
        tracks.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".open_music.", suffix=".partial", dir=tracks.parent))
    else:
        staging = Path(tempfile.mkdtemp(prefix=".open_music.", suffix=".partial", dir=tracks))
    fetched = Fetched()
    try:
        for genre, genre_packages in collection.items():
            (staging / genre).mkdir()
            fetched.songs[genre], fetched.seconds[genre] = [], 0.0
            for package in genre_packages:
                deb = download_package(package, cache, progress)
                if package in missing:
                    fetched.downloaded.append(package)
                fetched.packages[package] = deb.name
                print(f"unpacking the music of {package} ...", flush=True)
                unpacked = staging / ".unpacked" / package
                music, copyright_file = unpack_music(deb, unpacked)
                kept, dropped = select_songs(game_name(package), music, min_seconds)
                for name, path, seconds in kept:
                    os.replace(path, staging / genre / name)
                    fetched.songs[genre].append(name)
                    fetched.seconds[genre] += seconds
                    fetched.durations[name] = round(seconds, 2)
                fetched.dropped += [f"{package}: {line}" for line in dropped]
                if copyright_file is not None:
                    (staging / "LICENSES").mkdir(exist_ok=True)
                    os.replace(copyright_file, staging / "LICENSES" / f"{package}.txt")
                shutil.rmtree(unpacked)
                print(f"  {len(kept)} song(s) of {game_name(package)} kept, {len(dropped)} file(s) dropped")
        _install(staging, tracks, collection, fetched, packages, whole=created)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, OSError):  # a full disk, a folder that cannot be written
            raise OpenMusicError(f"the collection could not be written ({error}); nothing was left half-written in "
                                 f"{tracks}") from error
        raise
    shutil.rmtree(staging, ignore_errors=True)
    return fetched


def _install(staging: Path, tracks: Path, collection: dict, fetched: Fetched, packages: list[str],
             whole: bool = False) -> None:
    """Move the staged collection into `tracks`: the staging folder itself, renamed, when `whole`
    (the fetch created `tracks`); else song by song (renames within one folder), the marker last."""
    manifest = {"packages": packages, "debs": fetched.packages, "songs": fetched.songs, "seconds": fetched.seconds,
                "durations": fetched.durations, "dropped": fetched.dropped}
    if whole:
        shutil.rmtree(staging / ".unpacked", ignore_errors=True)
        (staging / MARKER).write_text(json.dumps(manifest, indent=1))
        os.replace(staging, tracks)
        return
    # The manifest first: a run killed while the songs move leaves a folder that says what it should
    # hold, which the next fetch completes (a folder of songs without it would be refused as the reader's).
    (staging / MARKER).write_text(json.dumps(manifest, indent=1))
    os.replace(staging / MARKER, tracks / MARKER)
    for genre in collection:
        (tracks / genre).mkdir(exist_ok=True)
        for name in fetched.songs[genre]:
            os.replace(staging / genre / name, tracks / genre / name)
    if (staging / "LICENSES").is_dir():
        (tracks / "LICENSES").mkdir(exist_ok=True)
        for licence in (staging / "LICENSES").iterdir():
            os.replace(licence, tracks / "LICENSES" / licence.name)


COLLECTION_RECORD = PROJECT_ROOT / "results" / "open_music_collection.json"
"""The marker file (MARKER) of the collection as fetched for the series: which songs, how long,
from which package versions, and what was left out. Committed (names only, no audio), so
notebooks/10_real_music.ipynb shows the collection without downloading it."""


def read_collection(path: Path = COLLECTION_RECORD) -> dict:
    """A collection's record: a MARKER file, or a folder that holds one."""
    path = Path(path)
    return json.loads((path / MARKER if path.is_dir() else path).read_text())


def games_table(record: dict) -> str:
    """Songs and minutes per genre and game, from a collection's record (`read_collection`).

    Taught in notebooks/10_real_music.ipynb.
    """
    from ..sources import song_source

    lines = [f"{'genre':<14}{'game':<17}{'songs':>6}{'minutes':>9}"]
    for genre, names in record["songs"].items():
        games = sorted({song_source(name) for name in names}, key=lambda g: [song_source(n) for n in names].index(g))
        for game in games:
            mine = [name for name in names if song_source(name) == game]
            minutes = sum(record["durations"][name] for name in mine) / 60
            lines.append(f"{genre:<14}{game:<17}{len(mine):>6}{minutes:>9.1f}")
        lines.append(f"{genre + ' total':<31}{len(names):>6}{record['seconds'][genre] / 60:>9.1f}")
    return "\n".join(lines)


def _stanzas(copyright_text: str) -> list[dict[str, str]]:
    """The paragraphs of a Debian machine-readable copyright file, each as {field: value}: a Files list
    whole, a Copyright's holders joined by "; " (one a line; a line starting in lower case goes on the
    holder above, empty lines and "." are skipped), the first line of the other fields (a License's
    first line names it; the lines after are its text)."""
    stanzas = []
    for paragraph in copyright_text.split("\n\n"):
        fields, name = {}, None
        for line in paragraph.splitlines():
            if line[:1] in (" ", "\t") and name:  # a continuation line
                text = line.strip()
                if name == "Files":
                    fields[name] += " " + text
                elif name == "Copyright" and text not in ("", "."):
                    joint = " " if text[0].islower() or not fields[name] else "; "
                    fields[name] = (fields[name] + joint + text).strip()
                continue
            name, _, value = line.partition(":")
            fields[name] = value.strip()
        stanzas.append(fields)
    return stanzas


def song_licence(tracks: Path, name: str) -> str:
    """Who holds the copyright of a song of the collection, and under which licence, as its
    package's copyright file (`LICENSES/<package>.txt`) says: the paragraph whose files match the
    tune's name, else the one for the package's music folder, else the package's default (`Files: *`).

    Taught in notebooks/10_real_music.ipynb.
    """
    from fnmatch import fnmatch

    game, tune = PurePosixPath(name).stem.split("__", 1)
    package = next(p for p in read_collection(tracks)["packages"] if game_name(p) == game)
    stanzas = [s for s in _stanzas((Path(tracks) / "LICENSES" / f"{package}.txt").read_text(errors="replace"))
               if s.get("Files") and s.get("License")]

    def says(stanza):
        return f"{stanza.get('Copyright', '?')}; licence {stanza['License']} ({package})"

    for stanza in stanzas:  # a paragraph naming this very file
        if any(fnmatch(f"{tune.lower()}.ogg", PurePosixPath(p).name.lower()) and PurePosixPath(p).name != "*"
               for p in stanza["Files"].split()):
            return says(stanza)
    for stanza in stanzas:  # one for the music folder
        if any(PurePosixPath(p).name == "*" and "music" in p.lower() for p in stanza["Files"].split()):
            return says(stanza)
    default = [s for s in stanzas if "*" in s["Files"].split()]
    return says(default[0]) if default else f"see LICENSES/{package}.txt"
