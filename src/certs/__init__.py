"""PDF certificates (issue 4)."""
