"""WhatsApp Cloud API: the webhook (verify, receive) and sends through the Graph API."""
