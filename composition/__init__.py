"""The composition root: the one place that reads the settings and builds Layer8 from them.

Everything below receives its collaborators as arguments. The terminal commands, the web server, the
evals and the benchmarks start here; the packages below never import this one.
"""
