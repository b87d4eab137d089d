"""Import TensorFlow and Keras without the lines TensorFlow's C++ core prints at start-up.

On a machine without a GPU, TensorFlow 2.2x writes "Could not find cuda drivers..." to the
process's standard error while it is imported, before its log level setting applies, and
those lines would land in the notebooks' outputs. They are harmless; this module silences
them at their source by pointing standard error at /dev/null for the import only. Errors
raised by the import are still raised.

Used by helpers/model.py and helpers/train.py.
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # and quiet TensorFlow's own log after import


def _import_quietly():
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import keras
        import tensorflow
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return keras, tensorflow


keras, tf = _import_quietly()
# TensorFlow's Python log warns when a function is traced again, which happens by design when a
# notebook builds a fresh model per fold; errors are still shown.
tf.get_logger().setLevel("ERROR")
