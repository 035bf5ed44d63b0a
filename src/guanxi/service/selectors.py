"""Reads of the service domain: <entity>_list / <entity>_get functions."""
