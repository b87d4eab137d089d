"""Does per-channel energy normalisation (PCEN) instead of log-mel help the improved CNN on real music?

    python -m helpers evaluate --tracks open_music --model improved --folds 5   # the log-mel run to compare with
    python benchmarks/real_music_pcen.py --tracks open_music [--group source]

(With CACHE_DIR and MODELS_DIR set as they were for `evaluate`.) The series' cached log-mel features are
turned back into mel power and through `librosa.pcen` (its defaults, on the power scaled as librosa's
documentation suggests for floating-point audio), and notebook 09's improved CNN is cross-validated on
them with `evaluate`'s folds (5 by song, or 3 holding out whole sources), saved as improved_cnn_pcen_<group>.
Then each fold is compared with the log-mel run (helpers.compare_folds). About 20 minutes on 2 cores.
Issue 11 asked what PCEN buys; benchmarks/README.md, "Real music", has the answer.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import librosa
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import helpers  # noqa: E402
import helpers.plumbing.results  # noqa: E402
from helpers.split import cross_validation_folds  # noqa: E402  (evaluate's folds, exactly)


def pcen_features(X: np.ndarray, settings) -> np.ndarray:
    """PCEN of each piece, from its log-mel spectrogram in dB (shape (pieces, mels, frames, 1))."""
    out = np.empty(X.shape[:3], np.float32)
    for start in range(0, len(X), 256):
        power = 10.0 ** (np.asarray(X[start:start + 256, ..., 0], dtype=np.float64) / 10.0)
        out[start:start + 256] = librosa.pcen(power * 2 ** 31, sr=settings.sample_rate,
                                              hop_length=settings.hop_length, axis=-1)
    return out[..., None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=Path, required=True)
    parser.add_argument("--group", choices=("song", "source"), default="song")
    options = parser.parse_args()
    from helpers.model import improved_cnn
    from helpers.plumbing.runs import run_spec
    from helpers.train import cross_validate, saved_folds

    settings = helpers.load_settings(tracks_dir=options.tracks, folds=5 if options.group == "song" else 3)
    dataset = helpers.build_dataset(settings, progress=False)
    pcen = dataclasses.replace(dataset, X=pcen_features(dataset.X, settings))
    splits = cross_validation_folds(pcen, settings.folds, settings.seed, group=options.group)
    folds = cross_validate(run_spec(improved_cnn, settings), pcen, splits, settings,
                           name=f"improved_cnn_pcen_{options.group}", progress=True)
    accuracy = [fold["song_accuracy"] for fold in folds]
    print(f"improved CNN on PCEN, folds by {options.group}: song accuracy {np.mean(accuracy):.3f} "
          f"({', '.join(f'{a:.3f}' for a in accuracy)}), balanced "
          f"{np.mean([fold['song_balanced_accuracy'] for fold in folds]):.3f}")
    log_mel_run = saved_folds(run_spec(improved_cnn, settings), dataset, splits, settings)
    if log_mel_run is not None:
        print(f"PCEN - log-mel, {helpers.plumbing.results.fold_by_fold(accuracy, log_mel_run)}")
    else:
        print(f"{Path(settings.models_dir) / 'improved_cnn.cv.json'} holds no log-mel run on these folds: "
              f"run the `evaluate` command above to compare")


if __name__ == "__main__":
    main()
