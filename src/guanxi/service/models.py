"""Models of the service domain."""
