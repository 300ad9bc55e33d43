"""Figures and reports; this layer only reads results."""

from .figures import (plot_backtest, plot_bootstrap, plot_exponent_context, plot_fit, plot_isoloss, plot_powerlaw,
                      plot_rank_frequency, plot_residuals, plot_study_curve)
from .html import write_report

__all__ = ["plot_fit", "plot_study_curve", "plot_residuals", "plot_backtest", "plot_bootstrap", "plot_isoloss",
           "plot_powerlaw", "plot_rank_frequency", "plot_exponent_context", "write_report"]
