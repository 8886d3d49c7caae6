"""Who is asking: sign-in, sessions and the guard in front of every route when AUTH=on (a Flask layer, no Dash)."""
