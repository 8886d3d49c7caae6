"""Thin wiring: inputs -> a filter value -> a service call -> a layout function."""

from __future__ import annotations

from dash import Dash

from callbacks import headline
from services.deal_service import DealService
from settings import Settings


def register_callbacks(app: Dash, service: DealService, settings: Settings) -> None:
    """Attach every callback of the page to `app`."""
    headline.register(app, service)
