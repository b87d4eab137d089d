"""pytest configuration shared by the unit tests and the notebooks that nbval re-executes.

pyproject.toml turns deprecation and future warnings into errors in this process. The notebook
kernels that nbval starts are separate processes, so the same rule reaches them through
PYTHONWARNINGS, which they inherit: a notebook that leans on a deprecated librosa, Keras, numpy
or scikit-learn API fails its cell instead of printing a warning that a later version turns
into a crash. (Later entries win; the ignores are known warnings from inside the libraries,
explained in pyproject.toml, and one from the kernel's own start-up on Python 3.12.)
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
    # Python 3.12 (Colab's): ipykernel's start-up asks asyncio for an event loop before one runs;
    # as an error, every notebook kernel would die before its first cell.
    "ignore:There is no current event loop:DeprecationWarning",
    "ignore:For consistency across implementations:PendingDeprecationWarning",  # ipykernel's shutdown, same
])
