"""The synthetic population the three mock systems share."""

from .cases import BEIJING, GridWorker, Reporter, UrbanCase
from .geography import Community, Geography, Grid
from .idcodes import id_number_is_valid, make_id_number, normalise_phone
from .legal import Applicant, Application, Dispute
from .population import Population, beijing_now
from .presets import PRESETS, Preset
from .residents import Person

__all__ = [
    "BEIJING",
    "PRESETS",
    "Applicant",
    "Application",
    "Community",
    "Dispute",
    "Geography",
    "Grid",
    "GridWorker",
    "Person",
    "Population",
    "Preset",
    "Reporter",
    "UrbanCase",
    "beijing_now",
    "id_number_is_valid",
    "make_id_number",
    "normalise_phone",
]
