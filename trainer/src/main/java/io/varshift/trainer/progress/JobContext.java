package io.varshift.trainer.progress;

/** What a running job reports to (and asks of) whoever runs it: the REST queue or the command line. */
public interface JobContext {

    /** Fraction done in [0, 1] of the current phase and what the phase is. */
    void progress(double fraction, String phase);

    /** Throws {@link JobCancelledException} when a cancel was asked for; jobs call it once per batch. */
    void checkCancelled();

    /** A context that shows nothing and is never cancelled. */
    static JobContext silent() {
        return new JobContext() {
            @Override
            public void progress(double fraction, String phase) {
            }

            @Override
            public void checkCancelled() {
            }
        };
    }
}
