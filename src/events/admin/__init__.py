"""Piccolo Admin at /admin: plain record editing for coalition admins.

Piccolo Admin signs people in against its own user table and session cookie. Convene gives
it no second password: each admin organizer has a mirror account there (``accounts``),
opened from the logged-in console, and every request to /admin checks the organizer again
(``mount.AdminGate``). Edits of events and sessions run through Convene's services
(``records``), so the admin gets the same checks, revisions, notifications and promotions
as the console and the API.
"""
