"""Layer8's HTTP edge: the FastAPI app, problem+json errors and bearer-token auth. No business rules here."""

from channels.api.app import create_app

__all__ = ["create_app"]
