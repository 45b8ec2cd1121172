"""The built-in practice scripts, shipped with the package as stillpoint.practices."""
