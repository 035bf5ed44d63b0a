"""Demo data of the loyalty domain: the seeders live in modules of their own."""

from guanxi.loyalty import seeding_earning  # noqa: F401 - registers "loyalty-earning"
