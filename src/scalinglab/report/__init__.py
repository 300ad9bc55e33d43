"""Figures and reports; this layer only reads results."""

from .figures import plot_fit

__all__ = ["plot_fit"]
