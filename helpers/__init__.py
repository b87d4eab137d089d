"""The shared logic of the series, one module per step; each notebook teaches one of them.

    settings     the one place for settings (notebook 01)
    errors       the one error the series raises for a reader's folder, file, setting or model
    demo         the synthesised demo collection, written when the tracks folder is empty (01)
    collection   find songs and genres in the tracks folder (01)
    load         decode a song to a mono float32 signal (01)
    segment      cut it into equal pieces (02)
    spectrogram  log-mel spectrograms of pieces, batched (03)
    dataset      X, y, groups and genre names, cached on disk (04)
    labels       each song's genre, and piece weights that make songs and genres count alike (04, 05)
    split        train / validation / test by song; the folds of cross-validation (04, 07)
    model        the CNNs and how each trains by default (05, 09) -- imports TensorFlow
    runs         a run specification and the fingerprint of a trained model (05)
    pipelines    batches and mixup for Keras (05, 09)            -- imports TensorFlow
    train        fit, train or load, cross-validate (05-07)      -- imports TensorFlow
    saved        save and load models and folds with their records (05, 06)
    evaluate     accuracy per piece and per song (06), comparisons and confusion matrices (07), timelines and reliability (08)
    history      training curves (06)
    baseline     per-mel-band statistics and logistic regression, the classical baseline (07)
    sources      a song's source (game, artist) and near-duplicate family, from its file name (10)
    open_music   the openly licensed real-music collection from Debian's game packages (10)
    results      results measured on real music, with their commands (10)
    atomic       write a file whole or not at all (the cache, saved models)
    upload       a file from the reader's computer: a button locally, Colab's dialog there (08)
    colab        the Colab badge and set-up cell every notebook starts with (`python -m helpers.colab`)

Imports point one way, from the steps to the ones before them; the modules that import
TensorFlow are imported by name (`from helpers.train import fit`), so notebooks that do not
train start fast.

The names below are re-exported, so ``import helpers`` then ``helpers.segment(...)`` works.
"""

from .baseline import band_statistics, baseline_classifier, cross_validate_baseline
from .collection import (AUDIO_EXTENSIONS, CollectionError, Skipped, Song, collection_table, display_path,
                         find_songs, genres_of, is_demo_collection)
from .dataset import Dataset, build_dataset, song_features, songs_per_genre
from .demo import ensure_songs
from .errors import InputError
from .evaluate import (SONG_RULE, accuracies, accuracy_interval, compare_cross_validations, compare_folds,
                       compare_songs, least_certain_songs, plot_confusion, plot_reliability, plot_timeline,
                       predict_proba, reliability, song_predictions, song_verdict, songs_right)
from .history import plot_history
from .labels import piece_weights, song_truth
from .load import AudioError, describe_audio_file, load_song, plot_waveform
from .segment import count_pieces, plot_pieces, segment
from .settings import PROJECT_ROOT, Settings, SettingsError, load_settings
from .spectrogram import average_spectrum, encoder_cutoff, log_mel, n_frames, plot_spectrogram
from .sources import family_groups, song_source, variant_family
from .split import (Split, cross_validation_by_song, cross_validation_by_source, cross_validation_folds,
                    cross_validation_over_pieces, labels_that_mean_nothing,
                    random_split_over_pieces, split_by_song, split_table)
