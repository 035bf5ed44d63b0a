"""Customer import from CSV and XLSX: reading files (``reading``), mapping columns to fields
(``mapping``), cleaning rows (``validation``), writing in bulk (``committing``) and the report
(``report``). The entry points are in ``guanxi.customers.services.imports``."""
