"""The package's defaults, stated once: every entry point imports them from here.

``LAW = "auto"``
    The law every fit uses unless told otherwise (``sl.fit``, ``scalinglab fit``, ``plan`` on a
    CSV, the study pipeline, ``demo``, the advisor, the transfer and quality analyses' from-scratch
    fits): each candidate law fitted, the winner chosen by how well it extrapolates
    (:mod:`scalinglab.fitting.select`). Exception by design: the per-level fits of a quality axis
    use ``power_floor`` at every level (``quality.study.LEVEL_LAW``), because comparing exponents
    and floors across levels needs one law with a floor.
``LEVEL = 0.8``
    The level of every interval a scaling-law answer prints or returns unless told otherwise
    (parameter intervals, prediction bands, every ``plan`` answer, the report, the CLI's
    ``--level``). 80 %: with the bootstrap's 1,000 draws its ends are stable, and a planning
    decision reads it as "likely between"; ask for 0.95 where a wider net is wanted.
    Not covered: ``sl.samplesize``, whose ``level`` is the confidence of the interval being
    sized (a design parameter with its textbook default of 0.95, as in the references it is
    tested against), and ``sl.extrapolate``, which always gives both calibrated levels (80 % and
    95 %).
"""

LAW = "auto"
LEVEL = 0.8
