"""Contract register import from a KAV export (CSV or XLSX): reader, row validation, upsert."""
