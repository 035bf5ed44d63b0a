"""Migration 0004_list_search_trigram: trigram indexes on PostgreSQL, nothing on SQLite."""

from django.db import connection


def index_names(db):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'customers_customer'"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers_customer'"
            )
        return {row[0] for row in cursor.fetchall()}


def test_trigram_indexes_exist_only_on_postgresql(db):
    names = index_names(db)

    expected = (
        {"cust_search_key_trgm", "cust_phone_trgm"} if connection.vendor == "postgresql" else set()
    )
    assert names & {"cust_search_key_trgm", "cust_phone_trgm"} == expected
    assert "cust_store_month_created" in names  # 0003_list_indexes, on every database
