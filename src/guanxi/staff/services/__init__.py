"""Writes of the staff domain, one module per subdomain.

- ``account``: the staff member's own account (language, password, two-factor sign-in)
- ``tokens``: API tokens for integrations
- ``directory``: stores, staff members and the organisation settings
"""
