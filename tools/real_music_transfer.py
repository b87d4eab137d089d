"""What the pretrained tagger hears in each game of the open-music collection, and a 2-D picture of
its embeddings, for notebook 11 (which cannot fetch 1.5 GB in CI).

    python -m helpers fetch-open-music --tracks open_music
    python tools/real_music_transfer.py --tracks open_music       # writes results/open_music_embeddings.json

(With CACHE_DIR set as for `evaluate`, the embeddings come from its cache.) For every song: its
mood, its game and the first two principal components of its summary (helpers.pretrained.transfer.song_summaries:
the mean and spread of musicnn's penultimate layer over the song's 3-s patches, standardised);
for every game: the tagger's five most probable tags, averaged over its songs' patches. No audio,
only numbers, so the file can be committed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout's helpers

import helpers  # noqa: E402
from helpers.sources import song_source  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "results" / "open_music_embeddings.json"


def main() -> None:
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    from helpers.pretrained import musicnn
    from helpers.pretrained.transfer import embedding_dataset, song_summaries

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=OUT)
    options = parser.parse_args()
    settings = helpers.load_settings(tracks_dir=options.tracks)
    dataset = helpers.build_dataset(settings, progress=False)
    embedded = embedding_dataset(dataset, settings, progress=False)
    songs, summaries = song_summaries(embedded.X, embedded.groups)
    pca = PCA(n_components=2, random_state=settings.seed)
    points = pca.fit_transform(StandardScaler().fit_transform(summaries))
    tagged = embedding_dataset(dataset, settings, layer="taggram", progress=False)
    tags = musicnn.tag_names(musicnn.DEFAULT_MODEL)
    games = [song_source(dataset.song_names[s]) for s in songs]
    by_game = {}
    for game in sorted(set(games)):
        mine = np.isin(tagged.groups, [s for s, g in zip(songs, games) if g == game])
        by_game[game] = [[tag, round(p, 3)] for tag, p in musicnn.top_tags(tagged.X[mine], tags, 5)]
    result = {"command": "python tools/real_music_transfer.py --tracks open_music",
              "model": musicnn.DEFAULT_MODEL, "layer": musicnn.DEFAULT_LAYER,
              "explained_variance": [round(float(v), 4) for v in pca.explained_variance_ratio_],
              "songs": [{"name": dataset.song_names[s], "mood": dataset.genres[int(dataset.y[dataset.groups == s][0])],
                         "game": game, "pc": [round(float(x), 3) for x in point]}
                        for s, game, point in zip(songs, games, points)],
              "top_tags_by_game": by_game}
    options.out.write_text(json.dumps(result, indent=1) + "\n")
    for game, top in by_game.items():
        print(f"{game:<16} " + ", ".join(f"{tag} {p:.2f}" for tag, p in top))
    print(f"written: {options.out}")


if __name__ == "__main__":
    main()
