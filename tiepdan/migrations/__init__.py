"""Alembic migrations; `tiepdan init-db` runs them."""
