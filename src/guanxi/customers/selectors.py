"""Reads of the customers domain: <entity>_list / <entity>_get functions."""
