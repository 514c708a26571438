package io.varshift.agent.loop;

import java.time.Duration;

/**
 * Fleet mode of the loop: instead of judging its own windows, the agent cuts each partition's records
 * into slices by offset, publishes one partial (the slice's window state for one model) per model and
 * slice to {@code partialsTopic}, and commits its consumer offsets in the same Kafka transaction. The
 * fleet judge ({@code io.varshift.agent.fleet}) merges the partials into fleet windows.
 *
 * @param partialsTopic where partials go, keyed by model
 * @param sliceRecords a partition's slice k holds its offsets [k·sliceRecords, (k+1)·sliceRecords):
 *     cut by offset, so that a replay cuts the same slices and the same partial ids
 * @param sliceDuration a slice open this long is cut where the partition stands (quiet partitions)
 * @param commitInterval cut slices are committed (their transaction) at most this often; 0 = at every cut
 */
public record Fleet(String partialsTopic, int sliceRecords, Duration sliceDuration, Duration commitInterval) {

    /** A transaction commit is a few broker round trips: one per cut would cost the loop more than the forward. */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(200);

    /** Fleet mode committing at most every {@link #DEFAULT_COMMIT_INTERVAL}. */
    public Fleet(String partialsTopic, int sliceRecords, Duration sliceDuration) {
        this(partialsTopic, sliceRecords, sliceDuration, DEFAULT_COMMIT_INTERVAL);
    }

    public Fleet {
        if (partialsTopic == null || partialsTopic.isBlank()) {
            throw new IllegalArgumentException("varshift.agent.fleet.partials-topic = " + partialsTopic
                    + ": name a topic");
        }
        if (sliceRecords < 1) {
            throw new IllegalArgumentException("varshift.agent.fleet.slice-records = " + sliceRecords
                    + ": use at least 1, e.g. a quarter of window.samples divided by the partitions");
        }
        if (sliceDuration == null || sliceDuration.isNegative() || sliceDuration.isZero()) {
            throw new IllegalArgumentException("varshift.agent.fleet.slice-duration = " + sliceDuration
                    + ": use a positive duration, e.g. 2s");
        }
        if (commitInterval == null || commitInterval.isNegative()) {
            throw new IllegalArgumentException("varshift.agent.fleet.commit-interval = " + commitInterval
                    + ": use 0 (commit at every cut) or a positive duration, e.g. 200ms");
        }
    }
}
