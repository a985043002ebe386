"""Slack: bolt's ``AsyncApp`` over HTTP (``POST /slack/events``) or Socket Mode (``layer8 slack``)."""
