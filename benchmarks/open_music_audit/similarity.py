"""Which games' music the tagger hears alike: Pearson correlation between games' mean taggrams
(50 MSD tags), and, per game, its three nearest games."""
import os
AUDIT_DIR = os.environ.get("AUDIT_DIR", "audit")  # where the packages, music and tables are (any folder)
import csv
from collections import defaultdict
import numpy as np
rows = list(csv.DictReader(open(f"{AUDIT_DIR}/tags.csv")))
import sys; sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
tags = [t for t in rows[0] if t not in {"package", "file", "seconds", "key", "tempo_bpm", "onsets_per_s", "centroid_hz",
                                        "rms_dbfs", "dyn_range_db", "rms_db_std", "major_minus_minor"}]
by = defaultdict(list)
for r in rows:
    by[r["package"]].append([float(r[t]) for t in tags])
games = sorted(by)
M = np.array([np.mean(by[g], 0) for g in games])
C = np.corrcoef(M)
print("| game | nearest three by tag profile (r) |\n|---|---|")
for i, g in enumerate(games):
    o = [j for j in np.argsort(-C[i]) if j != i][:3]
    print(f"| {g} | " + ", ".join(f"{games[j]} {C[i, j]:.2f}" for j in o) + " |")
