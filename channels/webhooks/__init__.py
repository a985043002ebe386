"""Outbound webhooks at the edge: signing (Standard Webhooks) and posting deliveries over HTTP."""
