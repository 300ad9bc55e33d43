"""Figures and reports; this layer only reads results."""

from .figures import plot_exponent_context, plot_fit, plot_powerlaw, plot_rank_frequency

__all__ = ["plot_fit", "plot_powerlaw", "plot_rank_frequency", "plot_exponent_context"]
