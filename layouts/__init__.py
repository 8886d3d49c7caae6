"""Pure functions that build the page's components and figures; they never touch the database."""
