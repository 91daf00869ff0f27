"""Convene core: configuration, database, domain rules and the HTTP API."""
