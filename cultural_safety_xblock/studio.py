"""Authoring in Studio: the editor, live validation, the scenario map, previews (issue 3)."""


class StudioMixin:
    """Studio views and handlers of the scenario block."""
