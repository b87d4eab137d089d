"""Per package: tracks >= 30 s after the series' own de-duplication (same bytes; variant families by
helpers.sources.variant_family, imported read-only from this checkout), as fetch_open_music would keep them."""
import os
AUDIT_DIR = os.environ.get("AUDIT_DIR", "audit")  # where the packages, music and tables are (any folder)
import csv, hashlib, sys
from collections import defaultdict
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the series' checkout
from helpers.sources import variant_family

rows = [r for r in csv.DictReader(open(f"{AUDIT_DIR}/inventory.csv")) if r["kept"] == "True"]
per = defaultdict(list)
for r in rows:
    per[r["package"]].append(r)
for pkg, rs in sorted(per.items()):
    fams, digests, kept, minutes = {}, set(), [], 0.0
    for r in sorted(rs, key=lambda r: (len(r["file"]), r["file"])):
        stem = r["file"].rsplit("_music_", 1)[-1].rsplit("_bgm_", 1)[-1].rsplit("_Musics_", 1)[-1]
        stem = stem.rsplit(".", 2)[0] if stem.endswith(".wav") else stem.rsplit(".", 1)[0]
        name = f"{pkg.removesuffix('-data')}__{stem}.ogg"
        d = hashlib.sha256(Path(f"{AUDIT_DIR}/music", pkg, r["file"]).read_bytes()).hexdigest()
        fam = variant_family(name)
        if d in digests or fam in fams:
            continue
        digests.add(d); fams[fam] = name; kept.append(stem); minutes += float(r["seconds"])
    print(f"{pkg:22s} {len(rs):3d} >=30s, {len(kept):3d} after dedup/variants, {minutes/60:6.1f} min")
