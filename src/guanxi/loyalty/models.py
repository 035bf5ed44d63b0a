"""Models of the loyalty domain."""
