"""Textual screens: one module per area (home, quiz, demos, help; review and stats)."""
