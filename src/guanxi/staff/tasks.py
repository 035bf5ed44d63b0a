"""Huey tasks of the staff domain; each calls the service of the same name."""
