"""Plumbing no notebook teaches: errors, atomic writes, progress, quiet TensorFlow, run records,
saved models, recorded results, uploads and the Colab set-up cell. Import each by its module,
e.g. ``from helpers.plumbing.saved import load_model``."""
