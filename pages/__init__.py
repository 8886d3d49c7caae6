"""The Dash pages (`/`, `/performance`), registered by app.py with what their layouts need.

Registered from the entry point rather than found in a pages folder: each layout is built per page load for
the signed-in account (a read-only one gets no control that writes), so it needs the settings and the account,
which only app.py holds.
"""
