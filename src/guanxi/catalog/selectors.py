"""Reads of the catalog domain: <entity>_list / <entity>_get functions."""
