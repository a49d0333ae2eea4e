"""Event contracts: the envelope, topic names, and every event with its payload.

``EVENT_TYPES`` maps each topic to its event model; it is the catalogue the schema snapshots,
the AsyncAPI documents and docs/integration.md are built from.
"""

from shared.events.appraisal import (
    PERIOD_PARTS,
    PERIOD_PATTERN,
    AppraisalCompleted,
    AppraisalCompletedPayload,
    BehaviourRating,
    IndicatorResult,
    LowScoreFlagged,
    LowScoreFlaggedPayload,
    LowScoreWithdrawn,
    LowScoreWithdrawnPayload,
    SkpApproved,
    SkpApprovedPayload,
    SkpIndicator,
    SkpRhk,
)
from shared.events.employee import EmployeeRegistered, EmployeeSnapshot, EmployeeUpdated, EmployeeUpdatedPayload
from shared.events.envelope import (
    NIP_PATTERN,
    Aspect,
    BerAkhlakValue,
    EmployeeType,
    Event,
    Payload,
    PositionType,
    Predikat,
    RatingLevel,
    Topic,
)
from shared.events.notification import (
    NotificationDelivered,
    NotificationDeliveredPayload,
    NotificationFailed,
    NotificationFailedPayload,
)
from shared.events.outbox import OutboxRecord
from shared.events.training import (
    RecommendedProgram,
    TrainingCompleted,
    TrainingCompletedPayload,
    TrainingEnrolled,
    TrainingEnrolledPayload,
    TrainingRecommended,
    TrainingRecommendedPayload,
)

EVENT_TYPES: dict[Topic, type[Event]] = {
    event.topic: event
    for event in (
        EmployeeRegistered,
        EmployeeUpdated,
        SkpApproved,
        AppraisalCompleted,
        LowScoreFlagged,
        LowScoreWithdrawn,
        TrainingRecommended,
        TrainingEnrolled,
        TrainingCompleted,
        NotificationDelivered,
        NotificationFailed,
    )
}

__all__ = [
    "EVENT_TYPES",
    "NIP_PATTERN",
    "PERIOD_PARTS",
    "PERIOD_PATTERN",
    "AppraisalCompleted",
    "AppraisalCompletedPayload",
    "Aspect",
    "BehaviourRating",
    "BerAkhlakValue",
    "EmployeeRegistered",
    "EmployeeSnapshot",
    "EmployeeType",
    "EmployeeUpdated",
    "EmployeeUpdatedPayload",
    "Event",
    "IndicatorResult",
    "LowScoreFlagged",
    "LowScoreFlaggedPayload",
    "LowScoreWithdrawn",
    "LowScoreWithdrawnPayload",
    "NotificationDelivered",
    "NotificationDeliveredPayload",
    "NotificationFailed",
    "NotificationFailedPayload",
    "OutboxRecord",
    "Payload",
    "PositionType",
    "Predikat",
    "RatingLevel",
    "RecommendedProgram",
    "SkpApproved",
    "SkpApprovedPayload",
    "SkpIndicator",
    "SkpRhk",
    "Topic",
    "TrainingCompleted",
    "TrainingCompletedPayload",
    "TrainingEnrolled",
    "TrainingEnrolledPayload",
    "TrainingRecommended",
    "TrainingRecommendedPayload",
]
