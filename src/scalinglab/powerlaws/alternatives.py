"""The alternatives a power law is compared with (:mod:`.compare`), in a module of their own so
that the command line can list them without loading scipy."""

ALTERNATIVES = ("lognormal", "exponential", "stretched_exponential", "truncated_power_law")
