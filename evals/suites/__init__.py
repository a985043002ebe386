"""One module per suite, each with ``run(ctx) -> SuiteResult``; this is their order in ``eval all``."""

SUITES = ("matching", "industry", "tools", "conversations", "knowledge", "safety")
