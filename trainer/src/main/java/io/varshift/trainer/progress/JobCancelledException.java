package io.varshift.trainer.progress;

/** Thrown from {@link JobContext#checkCancelled()} at a batch boundary once a cancel was asked for. */
public final class JobCancelledException extends RuntimeException {

    public JobCancelledException() {
        super("cancelled on request");
    }
}
