"""HTTP endpoints beside the Dash page: HTTP in, service calls, JSON out; no Dash."""
