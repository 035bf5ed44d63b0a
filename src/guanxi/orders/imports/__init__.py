"""Order import from CSV and XLSX (``guanxi import orders FILE`` and the upload page).

Reading a file is the customer import's (``guanxi.customers.imports.reading``: encodings, XLSX,
size and bomb checks). This package adds what is particular to orders: the columns
(``mapping``), cleaning cells and grouping the rows of one order reference into an order
(``validation``), looking the members and products up in bulk (``resolving``), the report
(``report``), the command line (``cli``) and its background task (``tasks``). The writes are in
``guanxi.orders.services.imports``.
"""
