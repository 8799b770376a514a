"""Step definitions, by domain concept. `test_features.py` binds the features."""
