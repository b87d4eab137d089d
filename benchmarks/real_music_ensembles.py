"""Do ensembles or a song's mean probability beat the best single model on real music? No training:
this combines the per-piece probabilities that `python -m helpers evaluate` kept for each fold.

    python -m helpers fetch-open-music --tracks open_music
    python -m helpers evaluate --tracks open_music --model improved --folds 5       # and --folds 3 --group source
    python -m helpers evaluate --tracks open_music --model original --folds 5       # and --folds 3 --group source
    python benchmarks/real_music_ensembles.py --tracks open_music

(With CACHE_DIR and MODELS_DIR set as they were for `evaluate`.) For folds by song (5) and by source
(3) it prints each model's and each ensemble's mean song accuracy and its folds: the pieces'
probabilities averaged over the models, then a song decided by its pieces' vote or by their mean
probability. The classical baseline is refitted here (it takes seconds). Issue 11 asked what
ensembling and a song's mean (a longer context per decision) buy; benchmarks/README.md, "Real music", has the answer.
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

COMBINATIONS = (("baseline",), ("improved_cnn",), ("original_cnn",), ("improved_cnn", "baseline"),
                ("improved_cnn", "original_cnn"), ("improved_cnn", "original_cnn", "baseline"))


def main() -> None:
    from helpers.model import improved_cnn, original_cnn
    from helpers.plumbing.runs import run_spec
    from helpers.train import saved_folds

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=Path, required=True)
    options = parser.parse_args()
    settings = helpers.load_settings(tracks_dir=options.tracks)
    dataset = helpers.build_dataset(settings, progress=False)
    for group, folds in (("song", 5), ("source", 3)):
        splits = cross_validation_folds(dataset, folds, settings.seed, group=group)
        runs = {name: saved_folds(run_spec(build, settings), dataset, splits, settings)
                for name, build in (("improved_cnn", improved_cnn), ("original_cnn", original_cnn))}
        for name, folds_kept in runs.items():
            if folds_kept is None:
                sys.exit(f"{Path(settings.models_dir) / f'{name}.cv.json'} holds no run on these folds: "
                         f"run `python -m helpers evaluate` for it first (see above)")
        runs["baseline"] = helpers.cross_validate_baseline(dataset, splits, seed=settings.seed)
        print(f"folds by {group} ({folds}): mean song accuracy, then each fold's")
        for combination in COMBINATIONS:
            for rule in ("vote", "mean"):
                accuracy = helpers.evaluate.ensemble_song_accuracies(dataset, splits, [runs[name] for name in combination], rule)
                print(f"  {' + '.join(combination):<38} {rule:<5} {np.mean(accuracy):.3f}  "
                      f"({', '.join(f'{a:.3f}' for a in accuracy)})")


if __name__ == "__main__":
    main()
