"""Read the training history: training and validation curves per epoch.

Taught in notebooks/06_history.ipynb.
"""

from __future__ import annotations


def plot_history(history: dict, metric: str = "accuracy", ax=None, figsize=(5, 3.5)):
    """Training and validation `metric` per epoch. Returns (fig, ax).

    Taught in notebooks/06_history.ipynb.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    epochs = range(1, len(history[metric]) + 1)
    ax.plot(epochs, history[metric], "o-", label=f"training {metric}")
    ax.plot(epochs, history[f"val_{metric}"], "s--", label=f"validation {metric}")
    ax.set(xlabel="epoch", ylabel=metric, title=f"{metric} per epoch")
    ax.set_xticks(list(epochs))
    ax.legend()
    return fig, ax
