package io.varshift.agent.loop;

import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.TopicPartition;

/** First and last offset per partition of the records a window (or a micro-batch) holds. */
final class OffsetRanges {

    /** Topic, then partition. */
    static final Comparator<TopicPartition> ORDER = (a, b) -> a.topic().equals(b.topic())
            ? Integer.compare(a.partition(), b.partition()) : a.topic().compareTo(b.topic());

    private final TreeMap<TopicPartition, long[]> ranges = new TreeMap<>(ORDER);

    void add(TopicPartition partition, long offset) {
        long[] range = ranges.get(partition);
        if (range == null) {
            ranges.put(partition, new long[] {offset, offset});
        } else {
            range[0] = Math.min(range[0], offset);
            range[1] = Math.max(range[1], offset);
        }
    }

    /** Partitions in topic, partition order, each with {first, last}. */
    Map<TopicPartition, long[]> view() {
        return ranges;
    }

    /** A copy that later changes to these ranges do not touch. */
    Map<TopicPartition, long[]> copy() {
        Map<TopicPartition, long[]> out = new TreeMap<>(ranges.comparator());
        ranges.forEach((tp, range) -> out.put(tp, range.clone()));
        return out;
    }

    void clear() {
        ranges.clear();
    }
}
