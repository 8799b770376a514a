"""Gherkin-shaped reports for pytest-bdd runs, serial or under pytest-xdist.

Load with ``-p reporting.plugin``. See ``reporting/plugin.py`` for the options.
"""
