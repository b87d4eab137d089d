"""Per-game summary of $AUDIT_DIR/tags.csv: mean taggram over tracks, top 8 tags, mood-group shares
(groups fixed in scripts/groups.md), descriptor medians. Prints markdown; writes summary.json."""
import os
AUDIT_DIR = os.environ.get("AUDIT_DIR", "audit")  # where the packages, music and tables are (any folder)
import csv, json, statistics as st, sys
from collections import defaultdict
import numpy as np

ROOT = AUDIT_DIR
IGNORED = {"00s", "60s", "70s", "80s", "90s", "oldies", "female vocalists", "female vocalist", "male vocalists"}
ENERGETIC = {"rock", "pop", "dance", "party", "happy", "funk", "catchy", "House", "electro", "punk", "hard rock",
             "heavy metal", "metal", "classic rock", "alternative rock", "indie rock", "Progressive rock", "indie pop",
             "alternative", "indie"}
DRAMATIC = {"ambient", "sad", "instrumental"}
DESC = ["tempo_bpm", "onsets_per_s", "centroid_hz", "rms_dbfs", "dyn_range_db", "major_minus_minor"]

rows = list(csv.DictReader(open(f"{ROOT}/tags.csv")))
tags = [k for k in rows[0] if k not in {"package", "file", "seconds", "key"} and k not in DESC and k != "rms_db_std"]
by = defaultdict(list)
for r in rows:
    by[r["package"]].append(r)


def top_mood(r):
    cand = [(float(r[t]), t) for t in tags if t not in IGNORED]
    return max(cand)[1]


summary = {}
for pkg, rs in by.items():
    m = np.array([[float(r[t]) for t in tags] for r in rs]).mean(0)
    order = np.argsort(-m)[:8]
    tops = [top_mood(r) for r in rs]
    n = len(rs)
    summary[pkg] = {
        "tracks": n, "minutes": round(sum(float(r["seconds"]) for r in rs) / 60, 1),
        "top8": [(tags[i], round(float(m[i]), 3)) for i in order],
        "energetic": round(sum(t in ENERGETIC for t in tops) / n, 2),
        "dramatic": round(sum(t in DRAMATIC for t in tops) / n, 2),
        "other": round(sum(t not in ENERGETIC and t not in DRAMATIC for t in tops) / n, 2),
        "top_mood_counts": dict(sorted(((t, tops.count(t)) for t in set(tops)), key=lambda kv: -kv[1])),
        "minor_share": round(sum(r["key"].endswith("minor") for r in rs) / n, 2),
        **{f"median_{d}": round(st.median(float(r[d]) for r in rs), 2) for d in DESC},
        "mean_tags": {t: round(float(v), 4) for t, v in zip(tags, m)},
        "per_track": [(r["file"], top_mood(r), round(float(r["tempo_bpm"])), r["key"]) for r in rs],
    }
json.dump(summary, open(f"{ROOT}/summary.json", "w"), indent=1)
order = sorted(summary, key=lambda p: summary[p]["energetic"] - summary[p]["dramatic"])
print("| package | tracks | min | top 8 tags (mean taggram) | energetic | dramatic | other | top mood/genre tags (tracks) |")
print("|---|---|---|---|---|---|---|---|")
for p in order:
    s = summary[p]
    print(f"| {p} | {s['tracks']} | {s['minutes']} | " + ", ".join(f"{t} {v:.2f}" for t, v in s["top8"]) +
          f" | {s['energetic']:.2f} | {s['dramatic']:.2f} | {s['other']:.2f} | " +
          ", ".join(f"{t} {c}" for t, c in s["top_mood_counts"].items()) + " |")
print()
print("| package | tempo BPM (median) | onsets/s | centroid Hz | RMS dBFS | dyn. range dB (p95-p10) | minor-key share | major-minus-minor corr |")
print("|---|---|---|---|---|---|---|---|")
for p in order:
    s = summary[p]
    print(f"| {p} | {s['median_tempo_bpm']:.0f} | {s['median_onsets_per_s']:.2f} | {s['median_centroid_hz']:.0f} | "
          f"{s['median_rms_dbfs']:.1f} | {s['median_dyn_range_db']:.1f} | {s['minor_share']:.2f} | {s['median_major_minus_minor']:+.2f} |")
if "-v" in sys.argv:
    for p in order:
        print(f"\n### {p}")
        for f, t, bpm, key in summary[p]["per_track"]:
            print(f"  {f[-50:]:50s} {t:14s} {bpm:4d} {key}")
