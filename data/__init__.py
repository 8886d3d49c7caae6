"""Deals storage: the SQLAlchemy model, engine, Alembic migrations, the demo generator and the clock."""
