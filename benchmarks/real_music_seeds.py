"""Does an ensemble of the same model trained from other initial weights help on real music?

    python -m helpers evaluate --tracks open_music --model improved --folds 5   # seed 42, the series' run
    python benchmarks/real_music_seeds.py --tracks open_music [--seeds 142 242]

(With CACHE_DIR and MODELS_DIR set as they were for `evaluate`.) Notebook 09's improved CNN is
cross-validated again on `evaluate`'s 5 folds by song (the folds of seed 42), each time with other
initial weights and another order of batches (seed 142, then 242: saved as improved_cnn_seed<N>).
It prints each run alone, then the ensemble of the recorded seed-42 run and every seed so far: the
pieces' probabilities averaged over the runs, a song decided by its pieces' vote or their mean.
About 12 minutes per seed on 2 cores. Issue 11 asked what seed ensembles buy; benchmarks/README.md, "Real music".
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
    parser.add_argument("--seeds", type=int, nargs="+", default=[142, 242])
    options = parser.parse_args()
    from helpers.model import improved_cnn
    from helpers.plumbing.runs import run_spec
    from helpers.train import cross_validate, saved_folds

    settings = helpers.load_settings(tracks_dir=options.tracks, folds=5)
    dataset = helpers.build_dataset(settings, progress=False)
    splits = cross_validation_folds(dataset, settings.folds, settings.seed, group="song")
    runs = {settings.seed: saved_folds(run_spec(improved_cnn, settings), dataset, splits, settings)}
    if runs[settings.seed] is None:
        sys.exit(f"{Path(settings.models_dir) / 'improved_cnn.cv.json'} holds no run on these folds: "
                 f"run the `evaluate` command above first")

    def song_accuracies(members, rule):
        return helpers.evaluate.ensemble_song_accuracies(dataset, splits, [runs[seed] for seed in members], rule)

    def show(label, accuracy):
        print(f"  {label:<44} {np.mean(accuracy):.3f}  ({', '.join(f'{a:.3f}' for a in accuracy)})", flush=True)

    show(f"seed {settings.seed} alone (vote)", song_accuracies([settings.seed], "vote"))
    for seed in options.seeds:
        runs[seed] = cross_validate(run_spec(improved_cnn, settings).with_seed(seed), dataset, splits, settings,
                                    name=f"improved_cnn_seed{seed}", progress=True)
        show(f"seed {seed} alone (vote)", song_accuracies([seed], "vote"))
        for rule in ("vote", "mean"):
            show(f"ensemble of seeds {', '.join(map(str, runs))} ({rule})", song_accuracies(list(runs), rule))


if __name__ == "__main__":
    main()
