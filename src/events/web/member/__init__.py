"""The member page (/me): sign-in by one-time link, the member's own page, and the signed
preference and unsubscribe links that work without signing in."""
