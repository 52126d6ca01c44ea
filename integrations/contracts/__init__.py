"""Contract register import from a KAV export (CSV/XLSX). Not built yet: see the README."""
