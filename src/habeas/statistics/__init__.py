"""Public statistics (issue 12), the pure part: person-level episodes from a case's facts and
findings, indicators computed from episodes, small-count suppression, the report spec.

No database, file or clock here (the core ring): the projection `projections.episodes`
stores the episodes, `services.statistics` reads them and the reference data, and the
drivers render what it returns.
"""
