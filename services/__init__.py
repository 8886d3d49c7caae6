"""The deals domain: filters, aggregations computed in SQL, the cache, formatting and the CSV import.

Nothing here imports Dash, so the same functions serve the dashboard, scripts, tests and a future API.
"""
