"""Models of the sales domain."""
