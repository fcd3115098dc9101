"""Excel outputs: the results workbook and per-payee statements (openpyxl)."""
