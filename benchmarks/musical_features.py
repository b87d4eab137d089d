"""How fast are the musical features (helpers/musical_features.py, notebook 13)? The helper against the plain loop.

    python benchmarks/musical_features.py --tracks open_music   # the real collection (issue 31's target: >= 100x realtime cold)
    python benchmarks/musical_features.py --tracks tracks       # the demo

Each phase runs in its own fresh Python process, one after another, on the same files:
  plain  what notebook 13's plain cells do, song after song: librosa.load, then onset_strength,
         beat_track, chroma_stft, spectral_centroid, zero_crossing_rate, rms and mfcc, each from the signal;
  cold   helpers.musical_features.describe_songs with an empty cache (one STFT per song, songs in parallel);
  warm   describe_songs again, everything from the cache.
Every phase first describes one short signal, untimed, so that numba's compiled beat tracker is loaded
(or compiled, the first time librosa is used) before the clock starts. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def _warm_up():
    import numpy as np

    from helpers.musical_features import describe_song

    describe_song(np.random.default_rng(0).normal(size=22050 * 5).astype(np.float32) * 0.1, 22050)


def phase_plain(tracks: Path) -> dict:
    import librosa
    import numpy as np

    from helpers import find_songs

    _warm_up()
    songs, _ = find_songs(tracks)
    audio = 0.0
    start = time.perf_counter()
    for song in songs:
        y, sr = librosa.load(song.path, sr=22050)
        audio += len(y) / sr
        onset_envelope = librosa.onset.onset_strength(y=y, sr=sr)
        librosa.beat.beat_track(onset_envelope=onset_envelope, sr=sr)
        librosa.onset.onset_detect(onset_envelope=onset_envelope, sr=sr)
        np.mean(librosa.feature.chroma_stft(y=y, sr=sr), axis=1)
        librosa.feature.spectral_centroid(y=y, sr=sr)
        librosa.feature.zero_crossing_rate(y)
        librosa.feature.rms(y=y)
        librosa.feature.mfcc(y=y, sr=sr, n_mfcc=13)
    return {"seconds": time.perf_counter() - start, "audio_seconds": audio, "songs": len(songs)}


def phase_helper(tracks: Path, cache: Path) -> dict:
    from helpers import find_songs, load_settings
    from helpers.musical_features import describe_songs

    _warm_up()
    settings = load_settings(tracks_dir=tracks, cache_dir=cache)
    songs, _ = find_songs(tracks)
    start = time.perf_counter()
    results = describe_songs([song.path for song in songs], settings, progress=False)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "songs": len(songs), "failed": sum(isinstance(r, str) for r in results)}


def run_phase(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tracks", type=Path, default=HERE.parent / "tracks", help="a folder of genre folders (default: tracks/)")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.phase:
        name, *args = options.phase
        print(json.dumps({"plain": phase_plain, "helper": phase_helper}[name](*map(Path, args))))
        return
    cache = Path(tempfile.mkdtemp(prefix="musical-features-benchmark-"))
    try:
        plain = run_phase("plain", str(options.tracks))
        cold = run_phase("helper", str(options.tracks), str(cache))
        warm = run_phase("helper", str(options.tracks), str(cache))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    audio = plain["audio_seconds"]
    result = {"cores": os.cpu_count(), "songs": cold["songs"], "failed": cold["failed"], "audio_seconds": round(audio, 1),
              "plain_seconds": round(plain["seconds"], 2), "cold_seconds": round(cold["seconds"], 2),
              "warm_seconds": round(warm["seconds"], 3), "plain_x_realtime": round(audio / plain["seconds"], 1),
              "cold_x_realtime": round(audio / cold["seconds"], 1), "cold_vs_plain": round(plain["seconds"] / cold["seconds"], 2)}
    print(f"{result['songs']} songs, {audio / 3600:.2f} h of audio, {result['cores']} cores")
    for name in ("plain", "cold", "warm"):
        seconds = result[f"{name}_seconds"]
        print(f"{name:<6}{seconds:>9.2f} s{audio / seconds:>10.1f}x realtime")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
