"""Satchel's terminal side: the `satchel` CLI and the Textual bucket browser."""
