"""Deals storage: the SQLAlchemy model, engine, Alembic migrations, demo data and the command line."""
