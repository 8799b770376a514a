"""What the acceptance suite stands on: a PostgreSQL, a database per worker, factories."""
