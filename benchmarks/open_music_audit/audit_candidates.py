"""Issue 32's audit: every candidate game's music, tagged and described by one script, so the moods
are decided by what the music is and the evidence can be run again.

Usage (the packages downloaded with `apt-get download NAME` into DEBS, their .ogg files unpacked
into ROOT/<package>/ with `dpkg-deb --fsys-tarfile DEB | tar -x -C ROOT/<package> --wildcards '*.ogg'`):

    python benchmarks/open_music_audit/audit_candidates.py ROOT benchmarks/open_music_audit/candidates.csv

One row per music file (`helpers.data.open_music.is_music`) of 30 s or more (the fetch's MIN_SECONDS): its package and path inside the
package, seconds, the mean taggram of both musicnn models (MSD_musicnn: genres and moods;
MTT_musicnn: instruments, "fast", "slow", "loud", "quiet", "classical", ...) through the series' own
Keras port (helpers.pretrained.musicnn), and the descriptors of the first audit (README.md, 2b):
tempo, onsets per second, spectral centroid, RMS level, dynamic range (95th minus 10th percentile of
frame RMS, dB) and the key's mode (helpers.estimate_key on the mean chroma). Everything at 16 kHz
mono, as the first audit. Summarise with `summarise_candidates.py`.
"""

from __future__ import annotations

import csv
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from helpers.data.open_music import is_music  # noqa: E402
from helpers.load import load_song  # noqa: E402
from helpers.musical_features import estimate_key  # noqa: E402
from helpers.pretrained import musicnn  # noqa: E402

MIN_SECONDS = 30.0


def describe(audio: np.ndarray, sr: int = 16000) -> dict[str, float]:
    import librosa

    onset_env = librosa.onset.onset_strength(y=audio, sr=sr)
    tempo, _ = librosa.beat.beat_track(onset_envelope=onset_env, sr=sr)
    onsets = librosa.onset.onset_detect(onset_envelope=onset_env, sr=sr)
    rms = librosa.feature.rms(y=audio)[0]
    rms_db = librosa.amplitude_to_db(rms, ref=1.0, amin=1e-5)
    key = estimate_key(librosa.feature.chroma_stft(y=audio, sr=sr, tuning=0.0))
    return {"tempo_bpm": float(np.atleast_1d(tempo)[0]), "onsets_per_s": len(onsets) / (len(audio) / sr),
            "centroid_hz": float(np.mean(librosa.feature.spectral_centroid(y=audio, sr=sr))),
            "rms_dbfs": float(np.mean(rms_db)), "dyn_range_db": float(np.percentile(rms_db, 95) - np.percentile(rms_db, 10)),
            "key": f"{key.tonic} {key.mode}", "minor": int(key.mode == "minor"),
            "major_minus_minor": key.major_minus_minor}


def main(root: Path, out: Path) -> None:
    import soundfile as sf

    files = []
    for package in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(package.rglob("*.ogg")):
            if not is_music(path.relative_to(package).as_posix(), package.name):
                continue  # what the fetch would not unpack: sound effects, ambience
            seconds = sf.info(path).duration
            if seconds >= MIN_SECONDS:
                files.append((package.name, path, seconds))
    print(f"{len(files)} files of {MIN_SECONDS:.0f} s or more", flush=True)
    models = {name: musicnn.load_musicnn(name) for name in ("MSD_musicnn", "MTT_musicnn")}
    tags = {name: musicnn.tag_names(name) for name in models}

    def one(item):
        package, path, seconds = item
        audio = load_song(path, sample_rate=musicnn.SAMPLE_RATE)
        patches = musicnn.patches(musicnn.musicnn_input(audio))
        row = {"package": package, "file": path.relative_to(root / package).as_posix(), "seconds": round(seconds, 1)}
        for name, model in models.items():
            taggram = musicnn.predict_patches(model, patches)["taggram"].mean(axis=0)
            row.update({f"{name[:3]}:{tag}": round(float(v), 4) for tag, v in zip(tags[name], taggram)})
        row.update(describe(audio))
        return row

    with ThreadPoolExecutor(2) as pool:
        rows = []
        for i, row in enumerate(pool.map(one, files)):
            rows.append(row)
            print(f"{i + 1}/{len(files)} {row['package']} {row['file']}", flush=True)
    with open(out, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
