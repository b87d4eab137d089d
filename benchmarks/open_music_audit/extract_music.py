"""Extract only the music of each .deb in $AUDIT_DIR/debs into $AUDIT_DIR/music/<package>/.

Music = an audio file (.ogg .opus .mp3 .flac .it .s3m .xm .mod) with a folder named music/musics/bgm
in its path. 0ad-data keeps its data inside mods/public/public.zip: that zip is streamed out of
the tar into a temp file, and audio/music/* inside it is extracted. Tracker modules (pingus) are
rendered to WAV with openmpt123 (one pass, no loop) so they can be measured and tagged.
Also saves each package's copyright file to $AUDIT_DIR/copyright/<package>.txt.
"""
import os
AUDIT_DIR = os.environ.get("AUDIT_DIR", "audit")  # where the packages, music and tables are (any folder)
import re, shutil, subprocess, sys, tarfile, tempfile, zipfile
from pathlib import Path, PurePosixPath

ROOT = Path(os.environ.get("AUDIT_DIR", "audit"))
AUDIO = {".ogg", ".opus", ".mp3", ".flac", ".it", ".s3m", ".xm", ".mod"}
FOLDERS = {"music", "musics", "bgm"}


def is_music(name):
    p = PurePosixPath(name)
    return p.suffix.lower() in AUDIO and any(part.lower() in FOLDERS for part in p.parts[:-1])


def flat(name):
    return re.sub(r"[^A-Za-z0-9._+-]+", "_", name.removeprefix("./"))


def extract(deb: Path):
    package = deb.name.split("_")[0]
    out = ROOT / "music" / package
    out.mkdir(parents=True, exist_ok=True)
    (ROOT / "copyright").mkdir(exist_ok=True)
    proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
    n = 0
    with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
        for m in tar:
            name = m.name.removeprefix("./")
            if not m.isfile():
                continue
            if name == f"usr/share/doc/{package}/copyright":
                (ROOT / "copyright" / f"{package}.txt").write_bytes(tar.extractfile(m).read())
            elif is_music(name):
                with tar.extractfile(m) as src, open(out / flat(name), "wb") as dst:
                    shutil.copyfileobj(src, dst)
                n += 1
            elif name.endswith("public.zip") and package == "0ad-data":
                with tempfile.NamedTemporaryFile(suffix=".zip", dir=ROOT) as tmp:
                    shutil.copyfileobj(tar.extractfile(m), tmp)
                    tmp.flush()
                    with zipfile.ZipFile(tmp.name) as z:
                        for zi in z.infolist():
                            if is_music(zi.filename):
                                (out / flat(zi.filename)).write_bytes(z.read(zi))
                                n += 1
    proc.wait()
    # render tracker modules
    for f in sorted(out.iterdir()):
        if f.suffix.lower() in {".it", ".s3m", ".xm", ".mod"}:
            wav = f.with_suffix(f.suffix + ".wav")
            subprocess.run(["openmpt123", "--quiet", "--force", "--render", "--output", str(wav), str(f)],
                           capture_output=True)
            if not wav.exists():  # older openmpt123 names the output <file>.wav itself
                subprocess.run(["openmpt123", "--quiet", "--force", "--render", str(f)], capture_output=True)
    print(package, n, "music files")


if __name__ == "__main__":
    for deb in sorted((ROOT / "debs").glob(sys.argv[1] if len(sys.argv) > 1 else "*.deb")):
        extract(deb)
