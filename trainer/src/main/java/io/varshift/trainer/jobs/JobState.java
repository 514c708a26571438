package io.varshift.trainer.jobs;

/** Life cycle of a job: QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED (or QUEUED → CANCELLED). */
public enum JobState {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
