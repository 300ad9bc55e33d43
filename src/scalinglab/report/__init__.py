"""Figures and reports; this layer only reads results."""

from .figures import plot_fit, plot_powerlaw, plot_rank_frequency

__all__ = ["plot_fit", "plot_powerlaw", "plot_rank_frequency"]
