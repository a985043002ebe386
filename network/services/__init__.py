"""Domain services: plain functions over a Session that own the rules of the records.

The acting subscriber is always an explicit argument that the caller took from a verified session; no
service trusts an id that came from a model or a request body for *who* is acting.
"""
