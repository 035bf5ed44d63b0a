"""Reads of the loyalty domain: <entity>_list / <entity>_get functions."""
