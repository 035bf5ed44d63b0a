"""Writes of the marketing domain: <entity>_<action>(*, ...) functions."""
