package io.varshift.agent.loop;

import java.time.Duration;
import java.util.List;

import io.varshift.core.codec.DecodeLimits;

/**
 * Settings of the consumer loop, validated here so that a bad configuration fails at start with a
 * message naming the property.
 *
 * @param windowSamples forwarded samples that close a window; 0 = by time only
 * @param windowDuration longest window; {@code null} = by count only
 * @param maxRecordBytes the producer's max.request.size: a dead letter larger than this goes in bounded form
 * @param forwardWorkers threads forwarding each model's batches (1: on the loop thread itself)
 * @param fleet fleet mode (partials instead of judged windows, see {@link Fleet}); null = single-agent mode
 * @param publishMoments whether window results carry each layer's moments
 */
public record LoopSettings(List<String> topics, String deadLetterTopic, String windowResultsTopic,
        String alertsTopic, int batchSize, Duration maxWait, double sampleRate, int windowSamples,
        Duration windowDuration, int enterAfter, int exitAfter, Duration pollTimeout, Duration reloadInterval,
        Duration commitInterval, DecodeLimits decodeLimits, int maxRecordBytes, int forwardWorkers, Fleet fleet,
        boolean publishMoments) {

    /** Room above the decode limit for a dead letter's key, headers and framing. */
    public static final int RECORD_HEADROOM_BYTES = 64 << 10;

    /** Settings whose producer request size is aligned with the decode limit ({@link #alignedRequestBytes}). */
    public LoopSettings(List<String> topics, String deadLetterTopic, String windowResultsTopic, String alertsTopic,
            int batchSize, Duration maxWait, double sampleRate, int windowSamples, Duration windowDuration,
            int enterAfter, int exitAfter, Duration pollTimeout, Duration reloadInterval, Duration commitInterval,
            DecodeLimits decodeLimits) {
        this(topics, deadLetterTopic, windowResultsTopic, alertsTopic, batchSize, maxWait, sampleRate, windowSamples,
                windowDuration, enterAfter, exitAfter, pollTimeout, reloadInterval, commitInterval, decodeLimits,
                alignedRequestBytes(decodeLimits == null ? DecodeLimits.DEFAULT : decodeLimits), 1);
    }

    /** Settings that forward on the loop thread (one forward worker). */
    public LoopSettings(List<String> topics, String deadLetterTopic, String windowResultsTopic, String alertsTopic,
            int batchSize, Duration maxWait, double sampleRate, int windowSamples, Duration windowDuration,
            int enterAfter, int exitAfter, Duration pollTimeout, Duration reloadInterval, Duration commitInterval,
            DecodeLimits decodeLimits, int maxRecordBytes) {
        this(topics, deadLetterTopic, windowResultsTopic, alertsTopic, batchSize, maxWait, sampleRate, windowSamples,
                windowDuration, enterAfter, exitAfter, pollTimeout, reloadInterval, commitInterval, decodeLimits,
                maxRecordBytes, 1);
    }

    /** Single-agent settings with {@code forwardWorkers} forward threads. */
    public LoopSettings(List<String> topics, String deadLetterTopic, String windowResultsTopic, String alertsTopic,
            int batchSize, Duration maxWait, double sampleRate, int windowSamples, Duration windowDuration,
            int enterAfter, int exitAfter, Duration pollTimeout, Duration reloadInterval, Duration commitInterval,
            DecodeLimits decodeLimits, int maxRecordBytes, int forwardWorkers) {
        this(topics, deadLetterTopic, windowResultsTopic, alertsTopic, batchSize, maxWait, sampleRate, windowSamples,
                windowDuration, enterAfter, exitAfter, pollTimeout, reloadInterval, commitInterval, decodeLimits,
                maxRecordBytes, forwardWorkers, null, false);
    }

    /** These settings with {@code workers} forward threads per model. */
    public LoopSettings withForwardWorkers(int workers) {
        return new LoopSettings(topics, deadLetterTopic, windowResultsTopic, alertsTopic, batchSize, maxWait, sampleRate,
                windowSamples, windowDuration, enterAfter, exitAfter, pollTimeout, reloadInterval, commitInterval,
                decodeLimits, maxRecordBytes, workers, fleet, publishMoments);
    }

    /** These settings with the producer's real max.request.size. */
    public LoopSettings withMaxRecordBytes(int bytes) {
        return new LoopSettings(topics, deadLetterTopic, windowResultsTopic, alertsTopic, batchSize, maxWait, sampleRate,
                windowSamples, windowDuration, enterAfter, exitAfter, pollTimeout, reloadInterval, commitInterval,
                decodeLimits, bytes, forwardWorkers, fleet, publishMoments);
    }

    /** These settings in fleet mode: the agent publishes partials, a fleet judge merges and judges them. */
    public LoopSettings withFleet(Fleet f) {
        return new LoopSettings(topics, deadLetterTopic, windowResultsTopic, alertsTopic, batchSize, maxWait, sampleRate,
                windowSamples, windowDuration, enterAfter, exitAfter, pollTimeout, reloadInterval, commitInterval,
                decodeLimits, maxRecordBytes, forwardWorkers, f, publishMoments);
    }

    /** These settings with window results that carry each layer's moments ({@code window.publish-moments}). */
    public LoopSettings withPublishedMoments(boolean publish) {
        return new LoopSettings(topics, deadLetterTopic, windowResultsTopic, alertsTopic, batchSize, maxWait, sampleRate,
                windowSamples, windowDuration, enterAfter, exitAfter, pollTimeout, reloadInterval, commitInterval,
                decodeLimits, maxRecordBytes, forwardWorkers, fleet, publish);
    }

    /** Whether the agent runs in fleet mode. */
    public boolean fleetMode() {
        return fleet != null;
    }

    /**
     * The producer's default max.request.size: every record the decoder accepts fits into a dead letter
     * whole, with room for its headers; larger ones go in bounded form.
     */
    public static int alignedRequestBytes(DecodeLimits limits) {
        return (int) Math.min(Integer.MAX_VALUE, (long) limits.maxBytes() + RECORD_HEADROOM_BYTES);
    }

    public LoopSettings {
        require(topics != null && !topics.isEmpty(), "topics", topics, "name at least one traffic topic");
        topics = List.copyOf(topics);
        require(batchSize >= 1 && batchSize <= 4096, "batch-size", batchSize, "use 1..4096, e.g. 64");
        require(positive(maxWait), "max-wait", maxWait, "use a positive duration, e.g. 200ms");
        require(sampleRate > 0 && sampleRate <= 1, "sample-rate", sampleRate, "use a value in (0, 1]");
        require(windowSamples >= 0, "window.samples", windowSamples, "use 0 (time only) or a positive count");
        require(windowDuration == null || positive(windowDuration), "window.duration", windowDuration,
                "use a positive duration or leave it unset");
        require(windowSamples > 0 || windowDuration != null, "window.samples", windowSamples,
                "set window.samples > 0 or window.duration, or both");
        require(enterAfter >= 1, "alarm.enter-after", enterAfter, "use at least 1");
        require(exitAfter >= 1, "alarm.exit-after", exitAfter, "use at least 1");
        require(positive(pollTimeout), "poll-timeout", pollTimeout, "use a positive duration");
        require(positive(reloadInterval), "reload-interval", reloadInterval, "use a positive duration");
        require(positive(commitInterval), "commit-interval", commitInterval, "use a positive duration");
        require(deadLetterTopic != null && !deadLetterTopic.isBlank(), "dead-letter-topic", deadLetterTopic,
                "name a topic");
        require(windowResultsTopic != null && !windowResultsTopic.isBlank(), "window-results-topic",
                windowResultsTopic, "name a topic");
        require(alertsTopic != null && !alertsTopic.isBlank(), "alerts-topic", alertsTopic, "name a topic");
        if (decodeLimits == null) {
            decodeLimits = DecodeLimits.DEFAULT;
        }
        require(forwardWorkers >= 1 && forwardWorkers <= 64, "forward-workers", forwardWorkers,
                "use 1..64 (1 forwards on the loop thread)");
        require(maxRecordBytes >= 64 << 10, "kafka.max.request.size", maxRecordBytes,
                "use at least 65536 bytes, so that a bounded dead letter fits");
    }

    private static boolean positive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }

    private static void require(boolean ok, String property, Object value, String fix) {
        if (!ok) {
            throw new IllegalArgumentException("varshift.agent." + property + " = " + value + ": " + fix);
        }
    }
}
