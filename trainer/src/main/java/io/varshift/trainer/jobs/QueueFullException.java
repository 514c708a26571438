package io.varshift.trainer.jobs;

/** The bounded job queue has no room; the caller should retry later. */
public final class QueueFullException extends RuntimeException {

    private final int retryAfterSeconds;

    QueueFullException(int capacity, int retryAfterSeconds) {
        super("the job queue is full (" + capacity + " waiting behind the running job); retry later or raise"
                + " varshift.trainer.queue-size");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
