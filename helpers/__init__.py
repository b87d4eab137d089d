"""The shared logic of the series, one module per step; each notebook teaches one of them.

    settings     the one place for settings (notebook 01)
    demo         the synthesised demo collection (01)
    collection   find songs and genres in the tracks folder (01)
    load         decode a song to a mono float32 signal (01)
    segment      cut it into equal pieces (02)
    spectrogram  log-mel spectrograms of pieces, batched (03)
    dataset      X, y, groups and genre names, cached on disk (04)
    split        train / validation / test by song (04)
    model        the CNN (05)              -- imports TensorFlow: `from helpers.model import ...`
    train        fit, save, load (05, 06)  -- imports TensorFlow: `from helpers.train import ...`
    evaluate     accuracy per piece and per song (06), confusion matrices (07), timelines (08)
    history      training curves (06)
    sources      a song's source (game, artist) and near-duplicate family, from its file name (10)
    open_music   the openly licensed real-music collection from Debian's game packages (10)
    results      results measured on real music, with their commands (10)
    atomic       write a file whole or not at all (the cache, saved models)
    upload       a file from the reader's computer: a button locally, Colab's dialog there (08)
    baseline     per-mel-band statistics and logistic regression, the classical baseline (07)
    colab        the Colab badge and set-up cell every notebook starts with (`python -m helpers.colab`)

The names below are re-exported, so ``import helpers`` then ``helpers.segment(...)`` works.
The TensorFlow modules are not imported here, so the notebooks that do not train start fast.
"""

from .baseline import band_statistics, baseline_classifier, cross_validate_baseline
from .collection import (AUDIO_EXTENSIONS, CollectionError, Skipped, Song, collection_table, display_path,
                         ensure_songs, find_songs, genres_of, is_demo_collection)
from .dataset import Dataset, build_dataset, song_features, songs_per_genre
from .evaluate import (SONG_RULE, accuracies, accuracy_interval, compare_folds, least_certain_songs,
                       plot_confusion, plot_timeline, predict_proba, song_predictions, song_truth, song_verdict)
from .history import plot_history
from .load import AudioError, describe_audio_file, load_song, plot_waveform
from .segment import count_pieces, plot_pieces, segment
from .settings import PROJECT_ROOT, Settings, SettingsError, load_settings
from .spectrogram import average_spectrum, encoder_cutoff, log_mel, n_frames, plot_spectrogram
from .sources import family_groups, song_source, variant_family
from .split import (Split, cross_validation_by_song, cross_validation_by_source,
                    cross_validation_over_pieces, labels_that_mean_nothing,
                    random_split_over_pieces, split_by_song, split_table)
