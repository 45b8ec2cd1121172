"""Small sound helpers used while rendering: bells, ambience, loudness."""
