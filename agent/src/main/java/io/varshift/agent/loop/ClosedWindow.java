package io.varshift.agent.loop;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

import io.varshift.core.moments.ChannelMoments;

/**
 * A window as it closed, before it is judged: the model and version it was measured with, the per-layer
 * moments (index i = the model's probed layer i), the offset ranges it covers and its counts.
 *
 * @param windowId a hash of model, version and offset ranges: a replay over the same records gets the same id
 * @param windowNumber this agent's windows of the model since start, 1 for the first (in fleet mode the fleet
 *     judge's count, kept in its state store)
 * @param samples forwarded samples folded into {@code moments}
 * @param offsets per partition, in topic and partition order, {first, last} offset held
 * @param cellScoreSums per layer, the summed sample cell scores (zeros without a calibration)
 * @param classCounts forwarded samples per predicted class
 */
public record ClosedWindow(String model, String version, long windowId, long windowNumber, Instant openedAt, Instant closedAt,
        String closeReason, long samples, double sampleRate, Map<TopicPartition, long[]> offsets,
        List<ChannelMoments> moments, double[] cellScoreSums, long[] classCounts) {
}
