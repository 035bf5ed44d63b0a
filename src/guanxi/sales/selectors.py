"""Reads of the sales domain: <entity>_list / <entity>_get functions."""
