"""Writes of the customers domain, one module per subdomain.

- ``customer``: create, update, delete; the derived search keys
- ``sensitive``: skin and health data under consent
- ``consent``: per-channel and sensitive-data consent, opt-out
- ``households`` and ``tags``
- ``completeness``: the weighted data-completeness score
- ``merge``: duplicates and the merge tool
- ``imports``: CSV/XLSX import; ``exports``: CSV/XLSX export
- ``rights``: "download my data" and erasure
- ``saved_views``: saved customer-list filters
"""

from guanxi.customers.services.customer import customer_create, customer_delete, customer_update

__all__ = ["customer_create", "customer_delete", "customer_update"]
