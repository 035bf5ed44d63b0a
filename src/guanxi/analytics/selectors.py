"""Reads of the analytics domain: <entity>_list / <entity>_get functions."""
