package io.varshift.agent.loop;

import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.TopicPartition;

/** First and last offset per partition of the records a window (or a micro-batch) holds. */
final class OffsetRanges {

    private final Map<TopicPartition, long[]> ranges = new TreeMap<>(
            (a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition())
                    : a.topic().compareTo(b.topic()));

    void add(TopicPartition partition, long offset) {
        long[] range = ranges.get(partition);
        if (range == null) {
            ranges.put(partition, new long[] {offset, offset});
        } else {
            range[0] = Math.min(range[0], offset);
            range[1] = Math.max(range[1], offset);
        }
    }

    /** The first offset held for the partition, or -1 when none. */
    long first(TopicPartition partition) {
        long[] range = ranges.get(partition);
        return range == null ? -1 : range[0];
    }

    /** Partitions in topic, partition order, each with {first, last}. */
    Map<TopicPartition, long[]> view() {
        return ranges;
    }

    void clear() {
        ranges.clear();
    }
}
