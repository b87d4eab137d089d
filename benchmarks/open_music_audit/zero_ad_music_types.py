"""0 A.D.: which music files the civilisations play as peace / battle / victory / defeat (simulation/data/civs/*.json)."""
import os
AUDIT_DIR = os.environ.get("AUDIT_DIR", "audit")  # where the packages, music and tables are (any folder)
import json, shutil, subprocess, tarfile, tempfile, zipfile, collections
deb = next(__import__("pathlib").Path(f"{AUDIT_DIR}/debs").glob("0ad-data_*.deb"))
p = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
types = collections.defaultdict(set)
with tarfile.open(fileobj=p.stdout, mode="r|") as tar:
    for m in tar:
        if m.name.endswith("public.zip"):
            with tempfile.NamedTemporaryFile(suffix=".zip", dir=AUDIT_DIR) as tmp:
                shutil.copyfileobj(tar.extractfile(m), tmp); tmp.flush()
                z = zipfile.ZipFile(tmp.name)
                for n in z.namelist():
                    if n.startswith("simulation/data/civs/") and n.endswith(".json"):
                        d = json.loads(z.read(n))
                        for entry in d.get("Music", []):
                            types[entry.get("File")].add(entry.get("Type"))
                    if n.startswith("audio/music/") and not n.endswith(".ogg"):
                        print("other:", n)
                for n in z.namelist():
                    if "music" in n.lower() and n.endswith((".xml", ".json", ".js")) and "audio" not in n:
                        print("cfg:", n)
p.wait()
json.dump({k: sorted(v) for k, v in types.items()}, open(f"{AUDIT_DIR}/meta/0ad_music_types.json", "w"), indent=1)
c = collections.Counter(t for v in types.values() for t in v)
print(c)
