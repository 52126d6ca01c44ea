"""`make bench`: the performance figures of issue 9, each against a baseline from the same run.

Run `python -m tests.bench` (full, bounded to ~10 minutes) or `python -m tests.bench --quick`.
Everything talks to 127.0.0.1 only. Modules: one per benchmark (`bench_*.py`), the servers they
talk to (`echo_bot`, `lean_connector`, `teams_connector`), and shared plumbing (`processes`,
`servers`, `client`, `stats`, `report`).
"""
