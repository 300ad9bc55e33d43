"""The curves of the multi-domain extrapolation suite: generators and the LCDB fetcher
(see README.md here; the loader is benchmarks/suite.py)."""
