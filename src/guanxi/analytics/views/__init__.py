"""Pages of the analytics domain (see ``guanxi.analytics.urls``)."""
