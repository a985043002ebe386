"""A realistic, deterministic demo network (``layer8 seed``, the evals, the benchmarks).

Above the domain and retrieval: it writes subscribers through the domain's records and draws industries,
vocabulary and supply chains from retrieval's catalogues.
"""
