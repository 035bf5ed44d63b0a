"""Audit hooks for sign-in events (logins are not domain flow, so signals are the right tool)."""
