"""Scaling laws: pure math, one small class per law, all registered by name."""

from .base import Law, available_laws, get_law, register_law
from .bnsl import BNSL
from .joint import Chinchilla, DataConstrained, Kaplan
from .quality import Quality
from .revisiting import M3, M4
from .single import ExpFloor, Power, PowerFloor

__all__ = ["Law", "register_law", "get_law", "available_laws", "Power", "PowerFloor", "ExpFloor",
           "M3", "M4", "BNSL", "Kaplan", "Chinchilla", "DataConstrained", "Quality"]
