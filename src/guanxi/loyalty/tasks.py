"""Huey tasks of the loyalty domain; each calls the service of the same name."""
