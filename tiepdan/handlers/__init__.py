"""Service-task operations, one module per family, registered by operation name.

Importing this package registers every family; `OPERATIONS` is what the runtime dispatches on.
"""
from .registry import OPERATIONS, operation  # noqa: F401
from . import case_events, complaints, classification, denunciations, escalation, execution, followups, intake, publication, reception, recommendations, transfer  # noqa: F401,E402  (register their operations)
