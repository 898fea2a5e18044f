"""``python -m tooling.benchmark``: build a synthetic organization at a chosen size in a
database of its own, then time Junction's pages against it.

``build`` creates the data (bulk inserts, seeded, so two builds at a size are
the same), ``measure`` requests the pages through the whole middleware stack
and ``report`` prints the table and writes the JSON.
"""
