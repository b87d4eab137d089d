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
    evaluate     accuracy per piece and per song (06)
    history      training curves (06)

The names below are re-exported, so ``import helpers`` then ``helpers.segment(...)`` works.
The TensorFlow modules are not imported here, so the notebooks that do not train start fast.
"""

import os

# Quiet TensorFlow's log (it would land in the notebooks' outputs), unless the reader chose a level.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from .collection import (AUDIO_EXTENSIONS, CollectionError, Skipped, Song, collection_table, display_path,  # noqa: E402
                         ensure_songs, find_songs, genres_of, is_demo_collection)
from .dataset import Dataset, build_dataset, song_features, songs_per_genre  # noqa: E402
from .evaluate import accuracies, predict_proba, song_predictions  # noqa: E402
from .history import plot_history  # noqa: E402
from .load import AudioError, describe_audio_file, load_song, plot_waveform  # noqa: E402
from .segment import count_pieces, plot_pieces, segment  # noqa: E402
from .settings import PROJECT_ROOT, Settings, load_settings  # noqa: E402
from .spectrogram import log_mel, n_frames, plot_spectrogram  # noqa: E402
from .split import Split, random_split_over_pieces, split_by_song, split_table  # noqa: E402
