"""Tag every music file >= 30 s with musicnn (MSD_musicnn) and compute simple descriptors.

musicnn's own code: musicnn.models.define_model + the checkpoint restore exactly as
musicnn.extractor.extractor does it, and musicnn.extractor.batch_data for the input (its
float16 log-mel, 3 s patches without overlap) -- the graph is built and restored once instead of
once per file (the only difference from calling extractor() per file). numpy-2 shim: np.float etc.
aliases set at run time if missing. Each file is decoded once (librosa.load at 16 kHz): batch_data's
librosa.load is served that same audio.

Writes rows to $AUDIT_DIR/tags.csv (per track: package, file, seconds, 50 tag means, descriptors).
"""
import os
AUDIT_DIR = os.environ.get("AUDIT_DIR", "audit")  # where the packages, music and tables are (any folder)
import csv, os, sys, time, types, warnings
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
warnings.simplefilter("ignore")
import numpy as np
for alias, t in (("float", float), ("int", int), ("complex", complex), ("bool", bool), ("object", object)):
    if alias not in np.__dict__:
        setattr(np, alias, t)
import librosa
import tensorflow as tf
import musicnn.extractor as mx
from musicnn import models, configuration as config

ROOT = AUDIT_DIR
MODEL = "MSD_musicnn"
TAGS = config.MSD_LABELS
SKIP_EXT = {".it", ".s3m", ".xm", ".mod"}

# --- musicnn graph, once (as in extractor.extractor) ---
n_frames = librosa.time_to_frames(3, sr=config.SR, n_fft=config.FFT_SIZE, hop_length=config.FFT_HOP) + 1
tf.compat.v1.reset_default_graph()
with tf.name_scope("model"):
    x = tf.compat.v1.placeholder(tf.float32, [None, n_frames, config.N_MELS])
    is_training = tf.compat.v1.placeholder(tf.bool)
    y, *_ = models.define_model(x, is_training, MODEL, len(TAGS))
    normalized_y = tf.nn.sigmoid(y)
sess = tf.compat.v1.Session(config=tf.compat.v1.ConfigProto(intra_op_parallelism_threads=1,
                                                             inter_op_parallelism_threads=1))
sess.run(tf.compat.v1.global_variables_initializer())
tf.compat.v1.train.Saver().restore(sess, os.path.dirname(mx.__file__) + "/" + MODEL + "/")

# --- serve batch_data the audio already decoded ---
_cache = {}
class _Lib(types.ModuleType):
    def __getattr__(self, name):
        return getattr(librosa, name)
proxy = _Lib("librosa_proxy")
proxy.load = lambda path, sr=None, **k: _cache[path]
mx.librosa = proxy

# --- numpy-2 shim for batch_data's log compression ---
# musicnn computes `np.log10(10000 * audio_rep + 1)` on a float16 array. Under numpy 1.x (value-based
# casting) `10000 * float16_array` is float32; under numpy 2 (NEP 50) it stays float16 and overflows to
# inf for every mel bin above 6.55, and any 3 s patch holding an inf gets one constant output (rock 0.33,
# electronic 0.26, pop 0.22, ...) whatever the music (scripts/inf_probe.py). This is batch_data with the
# numpy-1 result: the float16-rounded mel upcast to float32 before the multiply (as numpy 1.26 does).
def batch_data_numpy1(audio_file, n_frames, overlap):
    audio, sr = mx.librosa.load(audio_file, sr=config.SR)
    audio_rep = librosa.feature.melspectrogram(y=audio, sr=sr, hop_length=config.FFT_HOP,
                                               n_fft=config.FFT_SIZE, n_mels=config.N_MELS).T
    audio_rep = audio_rep.astype(np.float16)
    audio_rep = np.log10(np.float32(10000) * audio_rep.astype(np.float32) + 1)
    last_frame = audio_rep.shape[0] - n_frames + 1
    batch = np.stack([audio_rep[t:t + n_frames, :] for t in range(0, last_frame, overlap)])
    return batch, audio_rep


if np.result_type(np.float16, 10000) == np.float16:  # numpy 2
    mx.batch_data = batch_data_numpy1

MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def descriptors(audio, sr):
    d = {}
    onset_env = librosa.onset.onset_strength(y=audio, sr=sr)
    tempo, _ = librosa.beat.beat_track(onset_envelope=onset_env, sr=sr)
    d["tempo_bpm"] = float(np.atleast_1d(tempo)[0])
    onsets = librosa.onset.onset_detect(onset_envelope=onset_env, sr=sr)
    d["onsets_per_s"] = len(onsets) / (len(audio) / sr)
    d["centroid_hz"] = float(librosa.feature.spectral_centroid(y=audio, sr=sr).mean())
    rms = librosa.feature.rms(y=audio)[0]
    db = 20 * np.log10(np.maximum(rms, 1e-5))
    d["rms_dbfs"] = float(20 * np.log10(max(np.sqrt(np.mean(audio ** 2)), 1e-5)))
    d["dyn_range_db"] = float(np.percentile(db, 95) - np.percentile(db, 10))
    d["rms_db_std"] = float(db.std())
    chroma = librosa.feature.chroma_stft(y=audio, sr=sr).mean(1)
    cm = [np.corrcoef(np.roll(MAJOR, k), chroma)[0, 1] for k in range(12)]
    cn = [np.corrcoef(np.roll(MINOR, k), chroma)[0, 1] for k in range(12)]
    names = "C C# D D# E F F# G G# A A# B".split()
    d["key"] = names[int(np.argmax(cm))] + " major" if max(cm) >= max(cn) else names[int(np.argmax(cn))] + " minor"
    d["major_minus_minor"] = float(max(cm) - max(cn))
    return d


def files(packages):
    for pkg in packages:
        folder = os.path.join(ROOT, "music", pkg)
        for name in sorted(os.listdir(folder)):
            if os.path.splitext(name)[1].lower() in SKIP_EXT:
                continue
            yield pkg, os.path.join(folder, name)


def main(packages, out_csv):
    done = set()
    if os.path.exists(out_csv):
        with open(out_csv) as f:
            done = {(r["package"], r["file"]) for r in csv.DictReader(f)}
    fields = ["package", "file", "seconds"] + TAGS + ["tempo_bpm", "onsets_per_s", "centroid_hz", "rms_dbfs",
                                                     "dyn_range_db", "rms_db_std", "key", "major_minus_minor"]
    new = not os.path.exists(out_csv)
    with open(out_csv, "a", newline="") as out:
        w = csv.DictWriter(out, fieldnames=fields)
        if new:
            w.writeheader()
        for pkg, path in files(packages):
            name = os.path.basename(path)
            if (pkg, name) in done:
                continue
            t = time.time()
            audio, sr = librosa.load(path, sr=config.SR)
            seconds = len(audio) / sr
            if seconds < 30:
                continue
            _cache.clear(); _cache[path] = (audio, sr)
            batch, _ = mx.batch_data(path, n_frames, n_frames)
            preds = [sess.run(normalized_y, feed_dict={x: batch[i:i + config.BATCH_SIZE], is_training: False})
                     for i in range(0, batch.shape[0], config.BATCH_SIZE)]
            taggram = np.concatenate(preds)
            mean = np.nanmean(taggram, axis=0)
            row = {"package": pkg, "file": name, "seconds": round(seconds, 1)}
            row.update({tag: round(float(v), 4) for tag, v in zip(TAGS, mean)})
            row.update({k: (round(v, 3) if isinstance(v, float) else v) for k, v in descriptors(audio, sr).items()})
            w.writerow(row); out.flush()
            print(f"{pkg} {name[-45:]} {seconds:.0f}s nan={int(np.isnan(taggram).any())} {time.time() - t:.1f}s",
                  flush=True)


if __name__ == "__main__":
    order = ["xmoto-data", "neverball-common", "lincity-ng-data", "extremetuxracer-data", "pingus-data",
             "megaglest-data", "flare-game", "freedroidrpg-data", "supertuxkart-data", "widelands-data",
             "naev-data", "0ad-data", "warzone2100-music"]
    main(sys.argv[1:] or order, os.path.join(ROOT, "tags.csv"))
