#!/usr/bin/env bash
# Every real-music run of results/real_music.json (folds dealt by seed 42, which notebooks 10-13 read; in the
# order notebook 10 numbers them) and of results/real_music_seeds.json (the models that train in seconds, on
# folds dealt by seeds 1 and 2: issue 32's targets are means over three dealings), each recorded with its
# command, date and wall time. Needs the collection (python -m helpers fetch-open-music). About an hour on
# 2 cores, most of it the CNNs' trainings (benchmarks/README.md, "Real music").
set -euo pipefail
cd "$(dirname "$0")/.."
run() { python -m helpers evaluate --tracks open_music "$@"; }
out=results/real_music.json
run --model baseline --folds 5 --record "$out"
run --model baseline --folds 5 --split piece --record "$out"
for model in baseline improved original musicnn features musicnn-tuned; do
    [ "$model" = baseline ] || run --model "$model" --folds 5 --record "$out"
    run --model "$model" --folds 4 --group source --record "$out"
done
for seed in 1 2; do
    for model in baseline features musicnn musicnn-tuned; do
        run --model "$model" --folds 5 --seed "$seed" --record results/real_music_seeds.json
        run --model "$model" --folds 4 --group source --seed "$seed" --record results/real_music_seeds.json
    done
done
