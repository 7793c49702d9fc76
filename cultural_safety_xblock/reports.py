"""Results for staff: report rows, aggregates, the dashboard (issue 5)."""


class ReportsMixin:
    """Staff views, report data and the aggregates the learner handlers keep up to date."""

    def record(self, events, state):
        """Update the cohort aggregates with what a learner just did."""
