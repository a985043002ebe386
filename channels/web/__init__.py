"""Web chat: a page served by the app (``/chat``) and the JSON/SSE endpoints it and integrations use."""
