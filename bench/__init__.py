"""`make bench`: the stack's performance figures (cold init against two floors, warm CPU, peak RSS,
requests per sign-in, sign-ins per second), printed as a table and written to bench/results.json.

Targets are reported (PASS/MISS), never asserted: a slower machine still gets its figures.
"""
