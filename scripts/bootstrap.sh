# Sourced by start.sh and test.sh: make .venv with the pinned requirements, reinstalling only when they change.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
REQUIREMENTS="${1:-requirements.txt}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip
fi
STAMP="$VENV/.installed-$(basename "$REQUIREMENTS")"
if [ ! -f "$STAMP" ] || [ -n "$(find "$ROOT" -maxdepth 1 \( -name 'requirements*.txt' -o -name pyproject.toml \) -newer "$STAMP")" ]; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$ROOT/$REQUIREMENTS"
  # The project itself, editable, for its `crm` command (pyproject.toml); its dependencies are the pinned ones above.
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps -e "$ROOT"
  touch "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
cd "$ROOT"
