"""The REST API, `/api/v1`: the dashboard's figures and deals over HTTP, for scripts and other tools."""
