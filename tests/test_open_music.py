"""The open-music collection: unpacking and selection on small .deb files the tests build
themselves (no network), failures that leave nothing behind, and one real download of the
smallest package where apt can reach its package lists."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from helpers.data import open_music
from helpers.data.open_music import OpenMusicError, fetch_open_music

needs_dpkg = pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb is not installed (not Debian/Ubuntu)")


def write_ogg(path: Path, seconds: float, freq: float = 440.0) -> Path:
    rate = 8000
    t = np.arange(int(seconds * rate)) / rate
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32), rate, format="OGG", subtype="VORBIS")
    return path


def build_deb(folder: Path, package: str, files: dict[str, float], copies: dict[str, str] = {}) -> Path:
    """A .deb named like apt's downloads, holding OGG files of the given seconds at the given paths."""
    root = folder / f"{package}-root"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(f"Package: {package}\nVersion: 1.0\nArchitecture: all\n"
                                             f"Maintainer: Tests <tests@example.org>\nDescription: test data\n")
    for i, (member, seconds) in enumerate(files.items()):
        write_ogg(root / member, seconds, freq=220 + 40 * i)
    for member, original in copies.items():
        shutil.copy(root / original, root / member)
    doc = root / "usr" / "share" / "doc" / package / "copyright"
    doc.parent.mkdir(parents=True)
    doc.write_text(f"{package}: music under CC-BY-SA 3.0\n")
    deb = folder / f"{package}_1.0_all.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "--build", str(root), str(deb)], check=True, capture_output=True)
    shutil.rmtree(root)
    return deb


@pytest.fixture
def cache(tmp_path) -> Path:
    """A download cache holding two small packages: one genre each."""
    cache = tmp_path / "debs"
    cache.mkdir()
    build_deb(cache, "racer-data", {
        "usr/share/games/racer/music/celtic.ogg": 31,
        "usr/share/games/racer/music/celtic_fast.ogg": 31,  # the last lap's version: a variant
        "usr/share/games/racer/music/jingle.ogg": 5,  # too short
        "usr/share/games/racer/music/theme.ogg": 32,
        "usr/share/games/racer/sounds/crash.ogg": 40,  # not music
    })
    build_deb(cache, "castle-data", {
        "usr/share/games/castle/Musics/siege.ogg": 33,
        "usr/share/games/castle/factions/north/music/march.ogg": 31,
        "usr/share/games/castle/factions/south/music/march.ogg": 34,  # same name, another faction
    }, copies={"usr/share/games/castle/Musics/menu.ogg": "usr/share/games/castle/Musics/siege.ogg"})  # same bytes
    return cache


COLLECTION = {"dark": ("castle-data",), "fun": ("racer-data",)}


@needs_dpkg
def test_only_soundtracks_of_30_s_are_kept_named_by_game_with_licences(cache, tmp_path, monkeypatch):
    monkeypatch.setattr(open_music, "_apt_download", lambda *a, **k: pytest.fail("a cached package downloaded"))
    tracks = tmp_path / "open music"
    fetched = fetch_open_music(tracks, cache, COLLECTION, progress=False)
    assert fetched.songs == {"dark": ["castle__menu.ogg", "castle__north_march.ogg", "castle__south_march.ogg"],
                             "fun": ["racer__celtic.ogg", "racer__theme.ogg"]}
    assert sorted(p.name for p in (tracks / "dark").iterdir()) == fetched.songs["dark"]
    assert sorted(p.name for p in (tracks / "fun").iterdir()) == fetched.songs["fun"]
    assert round(sf.info(tracks / "fun" / "racer__theme.ogg").duration) == 32
    assert fetched.seconds["fun"] == pytest.approx(63, abs=0.1)
    dropped = "\n".join(fetched.dropped)
    assert "celtic_fast.ogg: a variant of racer__celtic.ogg" in dropped
    assert "jingle.ogg: 5 s, shorter than 30 s" in dropped
    assert "Musics/siege.ogg: the same file as castle__menu.ogg" in dropped  # the first by name is kept
    assert "crash" not in dropped and len(fetched.dropped) == 3  # sounds/ is never unpacked
    assert sorted(p.name for p in (tracks / "LICENSES").iterdir()) == ["castle-data.txt", "racer-data.txt"]
    assert "CC-BY-SA" in (tracks / "LICENSES" / "racer-data.txt").read_text()
    assert sorted(p.name for p in tracks.iterdir()) == [".open_music.json", "LICENSES", "dark", "fun"]  # no leftovers

    import helpers  # the series reads it as any tracks folder: LICENSES/ is not a genre
    songs, skipped = helpers.find_songs(tracks)
    assert len(songs) == 5 and skipped == [] and helpers.genres_of(songs) == ["dark", "fun"]

    # A second run finds the complete collection and unpacks nothing.
    monkeypatch.setattr(open_music, "unpack_music", lambda *a, **k: pytest.fail("unpacked again"))
    assert fetch_open_music(tracks, cache, COLLECTION, progress=False).songs == fetched.songs


def test_source_and_variants_of_the_names_it_writes():
    from helpers.sources import song_source, variant_family

    assert song_source("fun/racer__celtic_fast.ogg") == "racer" == song_source("racer__celtic.ogg")
    assert variant_family("racer__celtic_fast.ogg") == variant_family("racer__celtic.ogg") == "racer/celtic"
    assert variant_family("supertuxkart__farm_f.ogg") == "supertuxkart/farm"
    assert variant_family("widelands__ingame_03.ogg") == "widelands/ingame_03"


@needs_dpkg
def test_a_package_without_a_music_folder_gives_exactly_the_files_named_for_it(tmp_path, monkeypatch):
    monkeypatch.setitem(open_music.MUSIC_FILES, "bubble-data", ("snd/*zik*.ogg",))
    deb = build_deb(tmp_path, "bubble-data", {
        "usr/share/games/bubble/snd/mainzik.ogg": 31,
        "usr/share/games/bubble/snd/applause.ogg": 35,  # a sound effect beside the music
        "usr/share/games/bubble/music/extra.ogg": 32,  # a music folder, but the package's rule decides
    })
    music, _ = open_music.unpack_music(deb, tmp_path / "unpacked")
    assert [member for member, _ in music] == ["usr/share/games/bubble/snd/mainzik.ogg"]


@pytest.mark.parametrize("member, package, music", [
    ("usr/share/games/frozen-bubble/snd/frozen-mainzik-1p.ogg", "frozen-bubble-data", True),
    ("usr/share/games/frozen-bubble/snd/applause.ogg", "frozen-bubble-data", False),
    ("usr/share/games/hex-a-hop/hex-a-hop/music-game-1.ogg", "hex-a-hop-data", True),
    ("usr/share/games/hex-a-hop/hex-a-hop/sound-win.ogg", "hex-a-hop-data", False),
    ("usr/share/pushover/themes/aztec.ogg", "pushover-data", True),
    ("usr/share/games/openclonk/Music.ocg/Cavern.ogg", "openclonk-data", True),
    ("usr/share/games/marsshooter/audio/music/03_fear.ogg", "marsshooter-data", True),
    ("usr/share/games/marsshooter/audio/announcer/bam.ogg", "marsshooter-data", False),
    ("usr/share/games/ardentryst/Music/castle.ogg", "ardentryst", True),
    ("usr/share/games/ardentryst/Sounds/Hit.ogg", "ardentryst", False),
])
def test_which_files_of_each_package_are_its_soundtrack(member, package, music):
    assert open_music.is_music(member, package) is music


def fake_apt(folder: Path, script: str) -> str:
    """A PATH on which `apt-get` and `apt-cache` are shell scripts (and dpkg-deb the real one)."""
    folder.mkdir()
    for tool, body in (("apt-get", script), ("apt-cache", "exit 100")):
        (folder / tool).write_text(f"#!/bin/sh\n{body}\n")
        (folder / tool).chmod(0o755)
    return f"{folder}{os.pathsep}{os.environ['PATH']}"


@needs_dpkg
def test_a_package_that_cannot_be_downloaded_leaves_nothing_behind(cache, tmp_path, monkeypatch):
    # apt writes part of the file, then fails (a package gone from the archive, a lost connection).
    monkeypatch.setenv("PATH", fake_apt(tmp_path / "bin", '[ "$1" = download ] || exit 0\n'
                                                          'head -c 1000 /dev/zero > "$2"_1.0_all.deb\n'
                                                          'echo "E: Unable to locate package $2"; exit 100'))
    tracks = tmp_path / "new folder"
    with pytest.raises(OpenMusicError, match="could not download gone-data: E: Unable to locate package gone-data"):
        fetch_open_music(tracks, cache, {"dark": ("castle-data",), "fun": ("gone-data",)}, progress=False)
    assert not tracks.exists()  # made by the fetch, removed with everything in it
    assert sorted(p.name for p in cache.iterdir()) == ["castle-data_1.0_all.deb", "racer-data_1.0_all.deb"]

    existing = tmp_path / "existing"
    existing.mkdir()
    with pytest.raises(OpenMusicError):
        fetch_open_music(existing, cache, {"dark": ("castle-data",), "fun": ("gone-data",)}, progress=False)
    assert list(existing.iterdir()) == []


@needs_dpkg
def test_a_download_goes_into_the_cache_whole_and_is_not_repeated(cache, tmp_path, monkeypatch):
    shutil.copy(cache / "racer-data_1.0_all.deb", tmp_path / "served.deb")
    monkeypatch.setenv("PATH", fake_apt(tmp_path / "bin", f'cp "{tmp_path}/served.deb" "$2"_2.0_all.deb'))
    empty = tmp_path / "empty cache"
    deb = open_music.download_package("racer-data", empty, progress=False)
    assert deb == empty / "racer-data_2.0_all.deb" and [p.name for p in empty.iterdir()] == [deb.name]
    (tmp_path / "served.deb").unlink()  # a second download would fail now
    assert open_music.download_package("racer-data", empty, progress=False) == deb


KILLED_RUN = """
import sys
from pathlib import Path
from helpers.data.open_music import fetch_open_music
fetch_open_music(Path(sys.argv[1]), Path(sys.argv[2]), {"dark": ("castle-data",), "fun": ("racer-data",)},
                 progress=False)
"""


def partials(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


@pytest.mark.slow
@needs_dpkg
def test_a_killed_run_leaves_partial_folders_that_the_next_run_removes(cache, tmp_path, monkeypatch):
    # A run killed (SIGKILL: a kernel restarted) while apt is half-way through racer-data, with
    # castle-data already staged: no `finally` runs, so its temporary folders stay behind.
    shutil.move(cache / "racer-data_1.0_all.deb", tmp_path / "served.deb")
    path = fake_apt(tmp_path / "slow", '[ "$1" = download ] || exit 0\n'
                                       'head -c 100000 /dev/zero > "$2"_1.0_all.deb\nexec sleep 60')
    tracks = tmp_path / "open music"
    env = {**os.environ, "PATH": path, "PYTHONPATH": str(Path(open_music.__file__).parents[2])}
    run = subprocess.Popen([sys.executable, "-c", KILLED_RUN, tracks, cache], env=env, start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if any(cache.glob(".racer-data.*.partial/racer-data_1.0_all.deb")) or run.poll() is not None:
                break
            time.sleep(0.1)
    finally:
        os.killpg(run.pid, signal.SIGKILL)  # python, apt-get and its sleep
        run.wait()
    assert len(partials(cache)) == 1 and partials(cache)[0].startswith(".racer-data.")
    # The fetch was creating `tracks`: it stages beside it, so the folder appears whole or not at all.
    assert not tracks.exists()
    assert len(partials(tmp_path)) == 1 and partials(tmp_path)[0].startswith(".open_music.")
    assert any((tmp_path / partials(tmp_path)[0] / "dark").iterdir())  # castle's songs were staged
    tracks.mkdir()  # the reader makes the folder meanwhile: the next fetch fills it, song by song

    # Hidden folders of the reader's, and one of a package not in this collection, look alike but are kept.
    mine = [cache / ".racer-data.keep", cache / ".racer-data.partial", cache / ".other-data.abcd1234.partial",
            tracks / ".ipynb_checkpoints"]
    for folder in mine:
        folder.mkdir()
    (cache / ".castle-data.abcd1234.partial.txt").write_text("notes")

    monkeypatch.setenv("PATH", fake_apt(tmp_path / "bin", f'cp "{tmp_path}/served.deb" "$2"_1.0_all.deb'))
    fetched = fetch_open_music(tracks, cache, COLLECTION, progress=False)
    assert fetched.songs == {"dark": ["castle__menu.ogg", "castle__north_march.ogg", "castle__south_march.ogg"],
                             "fun": ["racer__celtic.ogg", "racer__theme.ogg"]}
    assert sorted(p.name for p in tracks.iterdir()) == [".ipynb_checkpoints", ".open_music.json", "LICENSES", "dark",
                                                        "fun"]
    assert sorted(p.name for p in cache.iterdir()) == [".castle-data.abcd1234.partial.txt",
                                                       ".other-data.abcd1234.partial", ".racer-data.keep",
                                                       ".racer-data.partial", "castle-data_1.0_all.deb",
                                                       "racer-data_1.0_all.deb"]
    assert all(folder.is_dir() for folder in mine) and partials(tmp_path) == []

    # Left over beside a complete collection, they go too, though nothing is unpacked again.
    (tracks / ".open_music.q0w8e7r6.partial" / "dark").mkdir(parents=True)
    (cache / ".castle-data.k3j_9x2a.partial").mkdir()
    monkeypatch.setattr(open_music, "unpack_music", lambda *a, **k: pytest.fail("unpacked again"))
    assert fetch_open_music(tracks, cache, COLLECTION, progress=False).songs == fetched.songs
    assert partials(tracks) == [] and partials(cache) == [".other-data.abcd1234.partial", ".racer-data.partial"]


@needs_dpkg
@pytest.mark.slow
def test_a_run_killed_while_it_moves_songs_into_place_is_completed_by_the_next(cache, tmp_path, monkeypatch):
    tracks = tmp_path / "open music"
    tracks.mkdir()  # an existing, empty folder: the songs move in one by one
    killed = KILLED_RUN.replace("from helpers.data.open_music import fetch_open_music", """import os, signal
from helpers.data.open_music import fetch_open_music
moved, replace = [], os.replace
def replace_then_die(source, target):
    if Path(target).parent.name == "fun" and Path(target).parent.parent.name == "open music":  # moving in: the worst moment
        os.kill(os.getpid(), signal.SIGKILL)
    replace(source, target)
os.replace = replace_then_die""")
    env = {**os.environ, "PYTHONPATH": str(Path(open_music.__file__).parents[2])}
    run = subprocess.run([sys.executable, "-c", killed, tracks, cache], env=env, capture_output=True, text=True)
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert sorted(p.name for p in (tracks / "dark").iterdir()) and not any((tracks / "fun").iterdir())
    fetched = fetch_open_music(tracks, cache, COLLECTION, progress=False)  # not refused: completed
    assert all((tracks / genre / name).is_file() for genre, names in fetched.songs.items() for name in names)
    assert sorted(fetched.songs) == ["dark", "fun"] and partials(tracks) == []


def test_without_apt_one_message_that_points_to_colab_and_own_songs(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda tool: None)
    with pytest.raises(OpenMusicError) as error:
        fetch_open_music(tmp_path / "music", tmp_path / "debs", progress=False)
    message = str(error.value)
    assert "dpkg-deb" in message and "Colab" in message and "your own songs" in message
    assert "\n" not in message and not (tmp_path / "music").exists() and not (tmp_path / "debs").exists()


def test_the_command_says_so_in_one_line(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # neither apt-get nor dpkg-deb
    run = subprocess.run([sys.executable, "-m", "helpers", "fetch-open-music", "--tracks", tmp_path / "music",
                          "--cache", tmp_path / "debs"], capture_output=True, text=True, env=env)
    assert run.returncode == 1 and run.stderr.startswith("error: fetch-open-music needs `dpkg-deb`")
    assert len(run.stderr.splitlines()) == 1 and "Colab" in run.stderr


@needs_dpkg
def test_a_folder_with_other_songs_is_never_written_to(cache, tmp_path):
    tracks = tmp_path / "tracks"
    write_ogg(tracks / "rock" / "mine.ogg", 1)
    with pytest.raises(OpenMusicError, match="already holds other files"):
        fetch_open_music(tracks, cache, COLLECTION, progress=False)
    assert [p.name for p in tracks.iterdir()] == ["rock"]


def _apt_reaches_its_lists() -> str | None:
    """None when apt knows xmoto-data, else why the real download test is skipped."""
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        return "apt-get and dpkg-deb are not installed (not Debian/Ubuntu)"
    shown = subprocess.run(["apt-cache", "show", "--no-all-versions", "xmoto-data"], capture_output=True, text=True)
    if shown.returncode != 0 or "Filename:" not in shown.stdout:
        return "apt's package lists do not know xmoto-data (run apt-get update)"
    return None


@pytest.mark.network
@pytest.mark.slow
@pytest.mark.skipif(_apt_reaches_its_lists() is not None, reason=str(_apt_reaches_its_lists()))
def test_the_smallest_package_really_downloads_and_unpacks(tmp_path):
    try:
        deb = open_music.download_package("xmoto-data", tmp_path / "debs", progress=False)
    except OpenMusicError as error:
        if any(word in str(error) for word in ("Failed to fetch", "Temporary failure", "resolve", "connect")):
            pytest.skip(f"the Debian archive cannot be reached: {error}")
        raise
    music, copyright_file = open_music.unpack_music(deb, tmp_path / "unpacked")
    kept, dropped = open_music.select_songs("xmoto", music)
    assert len(kept) >= 5 and all(seconds >= 30 for _, _, seconds in kept)
    assert all(name.startswith("xmoto__") and name.endswith(".ogg") for name, _, _ in kept)
    assert copyright_file is not None and "Copyright" in copyright_file.read_text(errors="replace")


def test_each_song_is_named_with_the_licence_its_package_gives_it(tmp_path):
    (tmp_path / "LICENSES").mkdir()
    (tmp_path / open_music.MARKER).write_text(json.dumps({"packages": ["racer-data"]}))
    (tmp_path / "LICENSES" / "racer-data.txt").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
        "Files: *\nCopyright: 2001 The Racer Team\nLicense: GPL-2+\n\n"
        "Files: data/music/*\nCopyright:\n 2010 Music Team\nLicense: CC-BY-SA-3.0\n\n"
        "Files: data/music/theme.ogg\n data/music/Celtic.ogg\nCopyright: 2012 A. Composer\n and B. Composer\n .\n 2013, C. Composer\n"
        "License: CC-BY-4.0\n\n"
        "Files: data/textures/*\nCopyright: 2011 Painters\nLicense: CC0\n")
    assert open_music.song_licence(tmp_path, "racer__celtic.ogg") == "2012 A. Composer and B. Composer; 2013, C. Composer; licence CC-BY-4.0 (racer-data)"
    assert open_music.song_licence(tmp_path, "racer__march.ogg") == "2010 Music Team; licence CC-BY-SA-3.0 (racer-data)"


def test_the_audit_agrees_with_the_collection_the_fetch_ships():
    """benchmarks/open_music_audit/README.md's table of the shipped collection is COLLECTION, and its
    per-track evidence (candidates.csv) holds at least three songs of 30 s or more for every game."""
    import csv

    audit = Path(__file__).resolve().parents[1] / "benchmarks" / "open_music_audit"
    text = (audit / "README.md").read_text()
    table = text.split("**The collection**", 1)[1].split("\n\n", 2)[1]
    rows = [line.strip("|").split("|") for line in table.splitlines()[2:]]
    assert {mood.strip(): tuple(p.strip() for p in packages.split(",")) for mood, packages in rows} == open_music.COLLECTION
    measured = [row["package"] for row in csv.DictReader(open(audit / "candidates.csv")) if float(row["seconds"]) >= 30]
    for packages in open_music.COLLECTION.values():
        assert len(packages) >= 4
        for package in packages:
            assert measured.count(package) >= 3, package
            assert package in open_music.DOWNLOAD_MB
