"""The one place that holds the settings a reader may change.

Every notebook starts with ``settings = helpers.load_settings()``. Each field can be
overridden by an environment variable of the same name in capitals (``TRACKS_DIR``,
``SEGMENT_WIDTH``, ``EPOCHS``, ...), so the very same notebooks run on another collection
without editing them, e.g. ``TRACKS_DIR=~/Music/by_genre jupyter lab``.

Taught in notebooks/01_listen_and_load.ipynb.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from .plumbing.errors import InputError

def _project_root() -> Path:
    """The checkout that holds `helpers/`, `notebooks/` and `tracks/`; when helpers was installed
    from a wheel into site-packages (no checkout around it), the working folder instead."""
    checkout = Path(__file__).resolve().parent.parent
    return checkout if (checkout / "notebooks").is_dir() else Path.cwd()


PROJECT_ROOT = _project_root()
"""Where `tracks/`, `.cache/` and `models/` are by default."""


class SettingsError(InputError):
    """A setting with a value the series cannot use; the message names it."""


@dataclass(frozen=True)
class Settings:
    """Everything that changes what the series computes.

    Attributes:
        tracks_dir: folder with one sub-folder per genre, each holding songs.
        cache_dir: where computed features are kept between runs.
        models_dir: where trained models and their histories are saved.
        sample_rate: every song is resampled to this rate (Hz) when loaded.
        segment_width: samples per piece (100000, as in the original tutorial: 4.5 s at 22050 Hz).
        n_mels: mel bands per spectrogram frame.
        n_fft: samples per short-time Fourier window.
        hop_length: samples between two spectrogram frames.
        epochs: training epochs of the original model.
        max_epochs: the most epochs the improved model trains for (notebook 09).
        patience: early stopping: the improved model stops once its validation loss has not
            improved for this many epochs (notebook 09).
        folds: folds of songs in cross-validation (notebooks 07 and 09).
        seed: seeds the demo collection, the split and the model's initial weights.
        demo_genres: the genres the demo synthesiser writes when `tracks_dir` has no songs.
        demo_songs_per_genre: how many demo songs per genre.
    """

    tracks_dir: Path = PROJECT_ROOT / "tracks"
    cache_dir: Path = PROJECT_ROOT / ".cache"
    models_dir: Path = PROJECT_ROOT / "models"
    sample_rate: int = 22050
    segment_width: int = 100_000
    n_mels: int = 128
    n_fft: int = 2048
    hop_length: int = 512
    epochs: int = 10
    max_epochs: int = 20
    patience: int = 4
    folds: int = 3
    seed: int = 42
    demo_genres: tuple[str, ...] = ("silly_energy", "dramatic")
    demo_songs_per_genre: int = 16

    def replace(self, **changes) -> "Settings":
        """A copy with some fields changed, e.g. ``settings.replace(epochs=3)``."""
        return dataclasses.replace(self, **changes)

    @property
    def feature_key(self) -> dict:
        """The settings that change the features of a song (part of the cache key)."""
        return {name: getattr(self, name) for name in ("sample_rate", "segment_width", "n_mels", "n_fft", "hop_length")}


def _from_text(field: dataclasses.Field, text: str):
    if field.type in ("Path", Path):
        return Path(text).expanduser().resolve()
    if field.type in ("int", int):
        return int(text)
    if field.type.startswith("tuple"):
        return tuple(part.strip() for part in text.split(",") if part.strip())
    raise TypeError(f"no conversion for {field.name}")


def load_settings(**overrides) -> Settings:
    """The defaults, then environment variables (`TRACKS_DIR`, `EPOCHS`, ...), then `overrides`.

    Raises:
        SettingsError: an environment variable holds a value of the wrong kind, or a setting
            that must be positive is not; the message names it.
    """
    values = {}
    for field in dataclasses.fields(Settings):
        text = os.environ.get(field.name.upper())
        if text is None or text.strip() == "":
            continue
        try:
            values[field.name] = _from_text(field, text.strip())
        except ValueError:
            raise SettingsError(f"environment variable {field.name.upper()}={text!r} is not a valid {field.type}") from None
    values.update(overrides)
    for name in ("tracks_dir", "cache_dir", "models_dir"):
        if name in values:
            values[name] = Path(values[name]).expanduser()
    settings = Settings(**values)
    for name in ("sample_rate", "segment_width", "n_mels", "n_fft", "hop_length", "epochs", "max_epochs", "patience", "folds",
                 "demo_songs_per_genre"):
        if getattr(settings, name) <= 0:
            raise SettingsError(f"setting {name} must be positive, got {getattr(settings, name)}")
    return settings
