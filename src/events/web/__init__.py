"""Server-rendered pages for people: Jinja templates (autoescaped), htmx where it helps.

templating.py builds the environment and the /static router; pages.py holds the public
pages' controller; views.py shapes the catalog service's data for the templates and
format.py prints dates, seats, map links and Markdown (pure).
"""
