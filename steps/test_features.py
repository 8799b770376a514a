"""Binds every feature under features/ to the step definitions.

The whole folder, so a new feature file runs without being listed here.
"""

from pytest_bdd import scenarios

scenarios(".")
