"""pytest configuration shared by the unit tests and the notebooks that nbval re-executes.

pyproject.toml turns deprecation and future warnings into errors in this process. The notebook
kernels that nbval starts are separate processes, so the same rule reaches them through
PYTHONWARNINGS, which they inherit: a notebook that leans on a deprecated librosa, Keras, numpy
or scikit-learn API fails its cell instead of printing a warning that a later version turns
into a crash. (Later entries win; the ignores are the two known warnings from inside the
libraries, explained in pyproject.toml.)
"""

import os

os.environ["PYTHONWARNINGS"] = ",".join([
    "error::DeprecationWarning",
    "error::PendingDeprecationWarning",
    "error::FutureWarning",
    "ignore:'aifc' is deprecated:DeprecationWarning",
    "ignore:'audioop' is deprecated:DeprecationWarning",
    "ignore:'sunau' is deprecated:DeprecationWarning",
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning",
])
