"""iCalendar feeds: pure builders (ical.py), what goes in them (entries.py), caching
(cache.py), personal feed tokens (tokens.py) and the routes (api.py)."""
