"""Probe: does musicnn's float16 overflow (inf in the log-mel) make its output constant?"""
import os, sys, warnings
os.environ["TF_USE_LEGACY_KERAS"] = "1"; warnings.simplefilter("ignore")
import numpy as np
import tensorflow as tf, librosa
import musicnn.extractor as mx
from musicnn import models, configuration as config
n_frames = librosa.time_to_frames(3, sr=config.SR, n_fft=config.FFT_SIZE, hop_length=config.FFT_HOP) + 1
tf.compat.v1.reset_default_graph()
with tf.name_scope("model"):
    x = tf.compat.v1.placeholder(tf.float32, [None, n_frames, config.N_MELS]); it = tf.compat.v1.placeholder(tf.bool)
    y, *_ = models.define_model(x, it, "MSD_musicnn", 50); ny = tf.nn.sigmoid(y)
sess = tf.compat.v1.Session(); sess.run(tf.compat.v1.global_variables_initializer())
tf.compat.v1.train.Saver().restore(sess, os.path.dirname(mx.__file__) + "/MSD_musicnn/")
T = config.MSD_LABELS
for f in sys.argv[1:]:
    b, rep = mx.batch_data(f, n_frames, n_frames)
    p = sess.run(ny, {x: b, it: False})
    has_inf = np.isinf(b).any((1, 2))
    print(os.path.basename(f)[-40:], "patches", len(b), "with inf", has_inf.sum())
    for name, sel in (("inf patches", has_inf), ("finite patches", ~has_inf)):
        if sel.any():
            m = p[sel].mean(0); o = np.argsort(-m)[:6]
            print("  ", name, "std over patches %.4f" % p[sel].std(0).mean(), [(T[i], round(float(m[i]), 2)) for i in o])
    # float32 variant of the same preprocessing (no overflow)
    audio, sr = librosa.load(f, sr=config.SR)
    mel = librosa.feature.melspectrogram(y=audio, sr=sr, hop_length=config.FFT_HOP, n_fft=config.FFT_SIZE, n_mels=config.N_MELS).T
    rep32 = np.log10(10000 * mel.astype(np.float32) + 1)
    b32 = np.stack([rep32[i:i + n_frames] for i in range(0, rep32.shape[0] - n_frames + 1, n_frames)])
    m = sess.run(ny, {x: b32, it: False}).mean(0); o = np.argsort(-m)[:6]
    print("   float32 log-mel:", [(T[i], round(float(m[i]), 2)) for i in o])
