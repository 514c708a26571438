package io.varshift.agent.loop;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

/**
 * Fleet mode: where each assigned partition's open slice starts and ends. A slice opens at the first
 * record handled after the previous cut (so at the committed offset after a restart) and ends at the
 * next multiple of {@code slice-records}: the same records give the same slices on a replay. A slice
 * open for {@code slice-duration} is cut where the partition stands. Loop thread only.
 */
final class SliceCutter {

    /** One open slice: offsets [start, end) unless cut earlier by time. */
    record Slice(long start, long end, Instant openedAt) {
    }

    private final int sliceRecords;
    private final Duration sliceDuration;
    private final Map<TopicPartition, Slice> open = new LinkedHashMap<>();

    SliceCutter(Fleet fleet) {
        this.sliceRecords = fleet.sliceRecords();
        this.sliceDuration = fleet.sliceDuration();
    }

    /** The open slice of {@code partition} if the record at {@code offset} lies past its end, else null. */
    Slice endedBy(TopicPartition partition, long offset) {
        Slice s = open.get(partition);
        return s != null && offset >= s.end() ? s : null;
    }

    /** Opens a slice at {@code offset} when none is open; returns the open slice. */
    Slice handled(TopicPartition partition, long offset, Instant now) {
        return open.computeIfAbsent(partition,
                tp -> new Slice(offset, (offset / sliceRecords + 1) * (long) sliceRecords, now));
    }

    /**
     * Why the slice should be cut now: {@code offset} when the partition's position has passed its end
     * (markers of transactional producers take offsets too), {@code time} when it is open too long, or null.
     */
    String due(Slice s, long position, Instant now) {
        if (position >= s.end()) {
            return "offset";
        }
        return now.isBefore(s.openedAt().plus(sliceDuration)) ? null : "time";
    }

    Map<TopicPartition, Slice> open() {
        return open;
    }

    void remove(TopicPartition partition) {
        open.remove(partition);
    }

    void clear() {
        open.clear();
    }
}
