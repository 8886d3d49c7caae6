#!/usr/bin/env bash
# Set up the virtualenv and serve the dashboard on http://127.0.0.1:8050 (SQLite under instance/ by default).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh" requirements.txt
exec python app.py
