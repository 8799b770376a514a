"""`make bench`: measures the suite and the service and prints a table; never fails on a number.

Modules: generated (feature files for the runs), timing_plugin (per-scenario durations from
inside pytest), runners (pytest subprocesses, the embedded PostgreSQL), load (a real uvicorn
under concurrent clients), report (the table and bench/results.json), __main__ (the order).
"""
