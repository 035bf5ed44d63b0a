"""Reads of the orders domain: <entity>_list / <entity>_get functions."""
