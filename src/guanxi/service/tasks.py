"""Huey tasks of the service domain; each calls the service of the same name."""
