"""Models of the orders domain."""
