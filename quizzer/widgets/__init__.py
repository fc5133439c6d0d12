"""Textual widgets: each shows one thing and announces its events with nested Message classes."""
