"""The organizer console: server-rendered pages under /console, behind a password login."""
