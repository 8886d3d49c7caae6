"""The app starts on a brand-new SQLite file, fills it with demo deals and shows them in a real browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from layouts import ids
from settings import Settings

pytestmark = pytest.mark.browser


def test_fresh_sqlite_app_shows_demo_deals(dash_duo, tmp_path: Path) -> None:
    database = tmp_path / "instance" / "crm.sqlite3"
    app = create_app(Settings(database_url=f"sqlite:///{database}", demo_data=True))
    dash_duo.start_server(app)

    dash_duo.wait_for_text_to_equal(f"#{ids.DEMO_BADGE}", "données de démonstration", timeout=10)
    count = dash_duo.find_element(f"#{ids.KPI_DEAL_COUNT}").text
    assert int(count.replace("\u202f", "")) > 0
    assert dash_duo.find_element(f"#{ids.KPI_WEIGHTED_PIPELINE}").text.endswith("€")
    assert database.exists()
    assert dash_duo.get_logs() == []
