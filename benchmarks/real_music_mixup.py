"""Does mixup help the improved CNN on real music?

    python -m helpers evaluate --tracks open_music --model improved --folds 5   # the run to compare with
    python benchmarks/real_music_mixup.py --tracks open_music [--alpha 0.2]

(With CACHE_DIR and MODELS_DIR set as they were for `evaluate`.) Notebook 09's improved CNN is
cross-validated on `evaluate`'s 5 folds by song, trained as usual but on mixup's blends of two pieces
and of their labels (`helpers.train.mixed_batches`, the blend drawn from Beta(alpha, alpha), as in
notebook 09's ablation), saved as improved_cnn_mixup, and compared fold by fold with the recorded run.
About 15 minutes on one thread (two genres train one row per blend, with a soft label; before 02a8eb9
each blend was trained twice, once per label, the same loss up to rounding, in about 25 minutes on
2 cores). Issue 11 asked what mixup buys;
benchmarks/README.md, "Real music", has the answer.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import helpers  # noqa: E402
import helpers.plumbing.results  # noqa: E402
from helpers.split import cross_validation_folds  # noqa: E402  (evaluate's folds, exactly)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=Path, required=True)
    parser.add_argument("--alpha", type=float, default=0.2)
    options = parser.parse_args()
    from helpers.model import improved_cnn
    from helpers.plumbing.runs import run_spec
    from helpers.train import cross_validate, saved_folds

    settings = helpers.load_settings(tracks_dir=options.tracks, folds=5)
    dataset = helpers.build_dataset(settings, progress=False)
    splits = cross_validation_folds(dataset, settings.folds, settings.seed, group="song")
    spec = run_spec(improved_cnn, settings, mixup=options.alpha)
    folds = cross_validate(spec, dataset, splits, settings, name="improved_cnn_mixup", progress=True)
    accuracy = [fold["song_accuracy"] for fold in folds]
    print(f"improved CNN with mixup (alpha {options.alpha}), folds by song: song accuracy {np.mean(accuracy):.3f} "
          f"({', '.join(f'{a:.3f}' for a in accuracy)}), balanced "
          f"{np.mean([fold['song_balanced_accuracy'] for fold in folds]):.3f}, epochs {[fold['epochs'] for fold in folds]}")
    recorded = saved_folds(run_spec(improved_cnn, settings), dataset, splits, settings)
    if recorded is None:
        sys.exit(f"{Path(settings.models_dir) / 'improved_cnn.cv.json'} holds no run on these folds: "
                 f"run the `evaluate` command above to compare")
    print(f"mixup - without, {helpers.plumbing.results.fold_by_fold(accuracy, recorded)}")


if __name__ == "__main__":
    main()
