"""Shared fixtures: small song folders built from real audio files in temporary folders."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import helpers
from helpers.collection import is_demo_collection


def write_tone(path: Path, seconds: float = 10.0, rate: int = 22050, channels: int = 1, freq: float = 440.0,
               subtype: str | None = None, seed: int = 0) -> Path:
    """A real audio file: a tone with a little noise, in the format named by the file's ending."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    mono = 0.3 * np.sin(2 * np.pi * freq * t) + 0.01 * rng.standard_normal(len(t))
    audio = np.repeat(mono[:, None], channels, axis=1) if channels > 1 else mono
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, audio.astype(np.float32), rate, subtype=subtype)
    return path


@pytest.fixture
def small_collection(tmp_path) -> Path:
    """Two genres of four 10-second WAV songs each: low tones and high tones."""
    tracks = tmp_path / "tracks"
    for i in range(4):
        write_tone(tracks / "low" / f"low {i}.wav", freq=110 * (1 + i / 10), seed=i)
        write_tone(tracks / "high" / f"high {i}.wav", freq=1760 * (1 + i / 10), seed=10 + i)
    return tracks


@pytest.fixture
def tmp_settings(tmp_path, small_collection) -> helpers.Settings:
    return helpers.load_settings(tracks_dir=small_collection, cache_dir=tmp_path / "cache", models_dir=tmp_path / "models")


@pytest.fixture(scope="session")
def demo_tracks() -> Path:
    """The synthesised demo collection: in tracks/ when that holds the demo or nothing (so the
    notebooks reuse it), else in .cache/demo_tracks, never among a reader's own songs."""
    tracks = helpers.PROJECT_ROOT / "tracks"
    if tracks.is_dir() and helpers.find_songs(tracks)[0] and not is_demo_collection(tracks):
        tracks = helpers.PROJECT_ROOT / ".cache" / "demo_tracks"
    tracks.mkdir(parents=True, exist_ok=True)
    helpers.ensure_songs(helpers.load_settings(tracks_dir=tracks))
    return tracks


@pytest.fixture(scope="session")
def demo_settings(demo_tracks) -> helpers.Settings:
    """The notebooks' settings on the demo collection. Features and models go where the notebooks
    look for them (so they reuse what the tests trained) only when the demo is in tracks/; beside
    a reader's own songs they go to .cache/demo_features/ and .cache/demo_models/, never over the
    reader's models or cache."""
    settings = helpers.load_settings(tracks_dir=demo_tracks)
    if demo_tracks != helpers.PROJECT_ROOT / "tracks":
        settings = settings.replace(cache_dir=helpers.PROJECT_ROOT / ".cache" / "demo_features",
                                    models_dir=helpers.PROJECT_ROOT / ".cache" / "demo_models")
    return settings


@pytest.fixture(scope="session")
def real_cache() -> Path:
    """The series' cache, holding the real musicnn wheel and its converted weights (downloaded once,
    by package name from PyPI). Skipped only where pip cannot reach PyPI; under CI, which always can,
    a failed download fails the test: a parity test never quietly skips there."""
    import os

    from helpers.pretrained import musicnn

    cache = helpers.load_settings().cache_dir
    try:
        musicnn.load_musicnn("MSD_musicnn", cache)
    except musicnn.PretrainedWeightsError as error:
        if "could not download" in str(error):
            if os.environ.get("CI"):
                pytest.fail(f"CI could not download the musicnn wheel from PyPI: {error}")
            pytest.skip(f"pip cannot reach PyPI to download the musicnn wheel: {error}")
        raise
    return cache
