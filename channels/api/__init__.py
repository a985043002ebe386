"""Layer8's HTTP edge: the FastAPI app (:mod:`channels.api.app`), problem+json errors and bearer-token auth.
No business rules here."""
