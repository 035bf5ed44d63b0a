"""Huey tasks of the marketing domain; each calls the service of the same name."""
