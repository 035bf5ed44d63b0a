"""Models of the marketing domain."""
