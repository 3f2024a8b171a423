"""Signing in: the login and password pages, the backend that checks a printed password
once, and the first-password rule every request meets."""
