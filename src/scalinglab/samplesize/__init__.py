"""Sample size before any experiment: power analysis, interval-width sizing over partitions,
PAC/VC bounds and intrinsic dimension. Each answer states its assumptions and source."""

from . import intrinsic
from .clusters import KChoice, choose_k, partition_plan
from .intervals import (IntervalSize, PartitionPlan, majority_n, mean_interval_n, partitions_n,
                        prediction_interval_n, proportion_interval_n)
from .pac import Bound, pac_agnostic, pac_finite, pac_realizable, vc_network_order, vc_threshold_network
from .power import PowerResult, anova, chisquare, cohens_h, proportions, ttest

__all__ = ["ttest", "proportions", "anova", "chisquare", "cohens_h", "PowerResult", "prediction_interval_n", "mean_interval_n",
           "proportion_interval_n", "majority_n", "partitions_n", "IntervalSize", "PartitionPlan",
           "choose_k", "partition_plan", "KChoice", "pac_realizable", "pac_agnostic", "pac_finite",
           "vc_threshold_network", "vc_network_order", "Bound", "intrinsic"]
