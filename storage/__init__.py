"""Persistence: SQLAlchemy 2 typed models, tenant-scoped queries and Alembic migrations."""
