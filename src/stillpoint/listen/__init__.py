"""Listening now: the sound device, the player and its keys and screens, and where a practice stopped."""
