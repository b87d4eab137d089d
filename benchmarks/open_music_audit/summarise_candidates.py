"""Per game, what `audit_candidates.py` measured: a markdown table to read beside README.md's.

    python benchmarks/open_music_audit/summarise_candidates.py benchmarks/open_music_audit/candidates.csv

Columns: tracks of 30 s or more and their minutes; the game's mean MSD_musicnn and MTT_musicnn tags
(top five); the share of tracks whose highest mood/genre tag falls in groups.md's energetic and
dramatic groups (the groups of the first audit, fixed before any result); medians of the
descriptors; the share of tracks estimated in a minor key; and the three games whose mean MSD
taggram correlates best with this one's.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict

import numpy as np

IGNORED = {"00s", "60s", "70s", "80s", "90s", "oldies", "female vocalists", "female vocalist", "male vocalists"}
ENERGETIC = {"rock", "pop", "dance", "party", "happy", "funk", "catchy", "House", "electro", "punk", "hard rock",
             "heavy metal", "metal", "classic rock", "alternative rock", "indie rock", "Progressive rock", "indie pop",
             "alternative", "indie"}
DRAMATIC = {"ambient", "sad", "instrumental"}


def main(path: str) -> None:
    rows = list(csv.DictReader(open(path)))
    games = defaultdict(list)
    for row in rows:
        games[row["package"]].append(row)
    msd = [k for k in rows[0] if k.startswith("MSD:")]
    mtt = [k for k in rows[0] if k.startswith("MTT:")]
    mean_msd = {g: np.mean([[float(r[k]) for k in msd] for r in rs], axis=0) for g, rs in games.items()}
    print("| package | tracks | min | MSD tags | MTT tags | energetic | dramatic | BPM | onsets/s | centroid Hz "
          "| dyn. range dB | minor | nearest (r) |")
    print("|---" * 13 + "|")
    for game, rs in sorted(games.items()):
        top_groups = []
        for r in rs:
            tags = {k[4:]: float(r[k]) for k in msd if k[4:] not in IGNORED}
            best = max(tags, key=tags.get)
            top_groups.append("e" if best in ENERGETIC else "d" if best in DRAMATIC else "o")
        mean_mtt = np.mean([[float(r[k]) for k in mtt] for r in rs], axis=0)
        top = lambda names, values: ", ".join(f"{names[i][4:]} {values[i]:.2f}" for i in np.argsort(values)[::-1][:5])
        median = lambda key: np.median([float(r[key]) for r in rs])
        nearest = sorted(((np.corrcoef(mean_msd[game], mean_msd[other])[0, 1], other) for other in games if other != game),
                         reverse=True)[:3]
        print(f"| {game} | {len(rs)} | {sum(float(r['seconds']) for r in rs) / 60:.1f} | {top(msd, mean_msd[game])} "
              f"| {top(mtt, mean_mtt)} | {top_groups.count('e') / len(rs):.2f} | {top_groups.count('d') / len(rs):.2f} "
              f"| {median('tempo_bpm'):.0f} | {median('onsets_per_s'):.2f} | {median('centroid_hz'):.0f} "
              f"| {median('dyn_range_db'):.1f} | {np.mean([int(r['minor']) for r in rs]):.2f} "
              f"| {', '.join(f'{o} {c:.2f}' for c, o in nearest)} |")


if __name__ == "__main__":
    main(sys.argv[1])
