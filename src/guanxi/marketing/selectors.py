"""Reads of the marketing domain: <entity>_list / <entity>_get functions."""
