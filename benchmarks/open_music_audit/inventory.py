"""Per music file: package, file, format, seconds (soundfile), >= 30 s. Writes $AUDIT_DIR/inventory.csv."""
import os
AUDIT_DIR = os.environ.get("AUDIT_DIR", "audit")  # where the packages, music and tables are (any folder)
import csv
from pathlib import Path
import soundfile as sf

ROOT = Path(os.environ.get("AUDIT_DIR", "audit"))
rows = []
for pkg in sorted((ROOT / "music").iterdir()):
    for f in sorted(pkg.iterdir()):
        if f.suffix.lower() in {".it", ".s3m", ".xm", ".mod"}:
            continue  # measured through its rendered .wav
        try:
            info = sf.info(f)
            sec, fmt = info.duration, (f.suffixes[-2][1:] + "->wav" if f.suffix == ".wav" else f.suffix[1:])
        except Exception as e:
            sec, fmt = -1, f"unreadable: {e}"
        rows.append(dict(package=pkg.name, file=f.name, format=fmt, seconds=round(sec, 1), kept=sec >= 30))
with open(ROOT / "inventory.csv", "w", newline="") as out:
    w = csv.DictWriter(out, fieldnames=list(rows[0]))
    w.writeheader(); w.writerows(rows)
from collections import defaultdict
agg = defaultdict(lambda: [0, 0, 0.0, set()])
for r in rows:
    a = agg[r["package"]]; a[0] += 1; a[3].add(r["format"])
    if r["kept"]: a[1] += 1; a[2] += r["seconds"]
for p, (n, k, s, fm) in agg.items():
    print(f"{p:24s} files {n:3d}  >=30s {k:3d}  minutes {s/60:6.1f}  {sorted(fm)}")
