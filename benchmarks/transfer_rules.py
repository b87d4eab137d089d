"""A song's answer from musicnn's embeddings: one row per song (the mean and spread over its 3-s
patches, helpers/pretrained/transfer.py's rule) against one row per patch and a vote, on the same folds.

    python benchmarks/transfer_rules.py --tracks tracks --folds 3                    # the demo: 3 folds by song
    python benchmarks/transfer_rules.py --tracks open_music --folds 5 --source       # and 3 folds holding out games

(With CACHE_DIR set as for `evaluate`, the features and embeddings come from its cache.) Measured
2026-12-06 on the folds dealt per genre (benchmarks/README.md, "Transfer learning"): the demo, per song
0.845, per patch 0.903; the open-music collection by song 0.842 and 0.799, holding out games 0.675 and 0.632.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import helpers  # noqa: E402


def main() -> None:
    from helpers.pretrained.transfer import cross_validate_transfer, embedding_dataset

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=Path, required=True)
    parser.add_argument("--folds", type=int, default=3, help="folds by song")
    parser.add_argument("--source", action="store_true", help="also 3 folds holding out whole sources")
    options = parser.parse_args()
    settings = helpers.load_settings(tracks_dir=options.tracks)
    embedded = embedding_dataset(helpers.build_dataset(settings, progress=False), settings, progress=False)
    for group, k in [("song", options.folds)] + ([("source", 3)] if options.source else []):
        splits = helpers.cross_validation_folds(embedded, k, settings.seed, group=group)
        for per in ("song", "patch"):
            folds = cross_validate_transfer(embedded, splits, per=per, seed=settings.seed)
            accuracy = [fold["song_accuracy"] for fold in folds]
            balanced = np.mean([fold["song_balanced_accuracy"] for fold in folds])
            print(f"{k} folds by {group}, per {per}: song accuracy {np.mean(accuracy):.3f} "
                  f"({', '.join(f'{a:.3f}' for a in accuracy)}), balanced {balanced:.3f}")


if __name__ == "__main__":
    main()
