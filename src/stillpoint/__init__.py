"""Stillpoint: voice-guided meditation for the terminal."""

__version__ = "0.1.0"
