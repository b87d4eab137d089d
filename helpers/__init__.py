"""The shared logic of the series. The modules at this level are the lessons, one per step, each
taught by a notebook; the three folders beside them hold what the lessons stand on.

The lessons (the notebook that teaches each):
    settings     the one place for settings (01)
    collection   find songs and genres in the tracks folder (01)
    load         decode a song to a mono float32 signal (01)
    segment      cut it into equal pieces (02)
    spectrogram  log-mel spectrograms of pieces, batched (03)
    dataset      X, y, groups and genre names, cached on disk (04)
    labels       each song's genre, and piece weights that make songs and genres count alike (04, 05)
    split        train / validation / test by song; the folds of cross-validation (04, 07)
    model        the CNNs and how each trains by default (05, 09)        -- TensorFlow
    pipelines    batches and mixup for Keras (05, 09)                    -- TensorFlow
    train        fit, train or load, cross-validate (05-07)              -- TensorFlow
    evaluate     accuracy per piece and per song (06), confusion matrices and comparisons in one
                 line (07), timelines and reliability (08), intervals and tests (12)
    history      training curves (06)
    baseline     per-mel-band statistics and logistic regression, the classical baseline (07)
    sources      a song's source (game, artist) and near-duplicate family, from its file name (10)
    musical_features  tempo, key and timbre per song, and a classifier on them (13)

Where the songs come from (helpers/data/):
    demo         the synthesised demo collection, written when the tracks folder is empty (01)
    open_music   the openly licensed real-music collection from Debian's game packages (10)

A pretrained network (helpers/pretrained/):
    musicnn      musicnn rebuilt in Keras 3 from its PyPI wheel: tags and embeddings (11)
    transfer     musicnn's embeddings into a scikit-learn classifier (11)

Plumbing no notebook teaches (helpers/plumbing/):
    errors       InputError, the base of every error about what a reader gave the series
    atomic       write a file whole or not at all
    progress     a progress count, in notebooks and terminals
    quiet_tensorflow  TensorFlow without its start-up noise
    runs         a run specification and the fingerprint of a trained model
    saved        save and load models and folds with their records
    results      results measured on real music, with their commands
    upload       a file from the reader's computer: a button locally, Colab's dialog there (08)
    colab        the Colab badge and set-up cell every notebook starts with

Imports point one way: the lessons use the plumbing; the data sources and the pretrained network
use both; nothing below imports what stands above it (tests/test_layers.py). The names below are
re-exported, so ``import helpers`` then ``helpers.segment(...)`` works. The names of the modules
that import TensorFlow (`helpers.original_cnn`, `helpers.fit`, ...) are loaded only when first used
(PEP 562), so ``import helpers`` stays fast in notebooks that do not train.
"""

from .baseline import band_statistics, baseline_classifier, cross_validate_baseline
from .collection import (AUDIO_EXTENSIONS, CollectionError, Skipped, Song, collection_table, display_path,
                         find_songs, genres_of, is_demo_collection)
from .dataset import Dataset, build_dataset, song_features, songs_per_genre
from .data.demo import ensure_songs
from .plumbing.errors import InputError
from .evaluate import (SONG_RULE, accuracies, accuracy_interval, compare_cross_validations, compare_folds,
                       compare_songs, least_certain_songs, plot_confusion, plot_reliability, plot_timeline,
                       predict_proba, reliability, say_comparison, song_predictions, song_verdict, songs_right)
from .history import plot_history
from .labels import piece_weights, song_truth
from .musical_features import (FEATURE_NAMES, cross_validate_features, describe_song, describe_songs, estimate_key,
                               features_classifier, musical_dataset, separation)
from .load import AudioError, describe_audio_file, load_song, plot_waveform
from .segment import count_pieces, plot_pieces, segment
from .settings import PROJECT_ROOT, Settings, SettingsError, load_settings
from .spectrogram import average_spectrum, encoder_cutoff, log_mel, n_frames, plot_spectrogram
from .sources import family_groups, song_source, variant_family
from .split import (Split, cross_validation_by_song, cross_validation_by_source, cross_validation_folds,
                    cross_validation_over_pieces, labels_that_mean_nothing,
                    random_split_over_pieces, split_by_song, split_table)


_LAZY = {  # name -> module that defines it; imported on first use, because these modules import TensorFlow
    "original_cnn": "model", "improved_cnn": "model", "SpecAugment": "model", "BUILDERS": "model",
    "batches": "pipelines", "mixed_batches": "pipelines",
    "fit": "train", "train_or_load": "train", "cross_validate": "train", "make_deterministic": "train",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value  # once loaded, an ordinary attribute
        return value
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
