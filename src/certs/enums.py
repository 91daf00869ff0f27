from enum import StrEnum


class CreditMode(StrEnum):
    fixed = "fixed"  # the event's continuing-education hours
    attended = "attended"  # the sum of the attended sessions' durations


class CertificateStatus(StrEnum):
    valid = "valid"
    revoked = "revoked"


class RevocationReason(StrEnum):
    issued_in_error = "issued_in_error"
    attendance_corrected = "attendance_corrected"
    misconduct = "misconduct"
    duplicate = "duplicate"
    superseded = "superseded"  # re-issued (e.g. a name correction): see the newer one
    other = "other"


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"
