"""Error catalog of background jobs (``JOB_xxx``)."""

from __future__ import annotations

from sociaparis.core.errors import ErrorCode


class JobError(ErrorCode):
    """Errors raised while starting, following, cancelling or running a job."""

    UNKNOWN_KIND = (
        "JOB_001",
        "'{kind}' is not a kind of job. Choose one of: {kinds}.",
    )
    NOT_FOUND = (
        "JOB_002",
        "There is no job {job_id} that the account '{user}' can see. List yours "
        "with `sociaparis job list`.",
    )
    NOT_ALLOWED = (
        "JOB_003",
        "The account '{user}' ({role}) may not {action}: {reason}.",
    )
    BAD_PARAMETER = (
        "JOB_004",
        "The job parameter '{name}' cannot be '{value}': {reason}.",
    )
    NOT_CANCELLABLE = (
        "JOB_005",
        "Job {job_id} is already {status}: only a queued or running job can be "
        "cancelled.",
    )
    NO_RESULT = (
        "JOB_006",
        "Job {job_id} is {status}: it has no result to download (a job keeps its "
        "result once it is done, until it is removed).",
    )
    RESULT_MISSING = (
        "JOB_007",
        "The result of job {job_id} is no longer in the data folder ({path}); it "
        "may have been removed. Start the job again.",
    )
    CANCELLED = (
        "JOB_008",
        "Job {job_id} was cancelled by its owner or an administrator.",
    )
    WORKER_LOST = (
        "JOB_009",
        "Job {job_id} stopped reporting progress for {seconds} s: its worker "
        "process ended (restarted, or out of memory). Start the job again.",
    )
    UNEXPECTED = (
        "JOB_010",
        "Job {job_id} failed on an unexpected error ({error}); the worker's log "
        "has the details. Start it again, or report the error.",
    )
    OWNER_GONE = (
        "JOB_011",
        "Job {job_id} cannot run: its owner's account no longer exists.",
    )
    QUEUE_UNAVAILABLE = (
        "JOB_012",
        "The job queue at {where} cannot be used: {reason}. Check "
        "SOCIAPARIS_DATABASE_URL and the data folder.",
    )
    TOO_MANY = (
        "JOB_013",
        "The account '{user}' already has {count} jobs queued or running (at most "
        "{limit}); wait for one to end or cancel one.",
    )
    STILL_ACTIVE = (
        "JOB_014",
        "Job {job_id} is {status}: cancel it (and let it stop) before removing it.",
    )
