"""Slack bot (issue 5)."""
