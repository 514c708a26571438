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

    /**
     * A builder with nothing set but the defaults: the default decode limits, the producer request size
     * aligned with them ({@link #alignedRequestBytes}), one forward worker, single-agent mode and window
     * results without moments. Whatever else is left unset is refused by {@link Builder#build()} with the
     * message naming its property.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to derive changed ones: {@code s.toBuilder().forwardWorkers(4).build()}. */
    public Builder toBuilder() {
        return new Builder(this);
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

    /** Settings component by component; {@link #build()} validates them all. Not thread-safe. */
    public static final class Builder {

        private List<String> topics;
        private String deadLetterTopic;
        private String windowResultsTopic;
        private String alertsTopic;
        private int batchSize;
        private Duration maxWait;
        private double sampleRate;
        private int windowSamples;
        private Duration windowDuration;
        private int enterAfter;
        private int exitAfter;
        private Duration pollTimeout;
        private Duration reloadInterval;
        private Duration commitInterval;
        private DecodeLimits decodeLimits;
        /** Null: aligned with the decode limits when built. */
        private Integer maxRecordBytes;
        private int forwardWorkers = 1;
        private Fleet fleet;
        private boolean publishMoments;

        private Builder() {
        }

        private Builder(LoopSettings s) {
            topics = s.topics;
            deadLetterTopic = s.deadLetterTopic;
            windowResultsTopic = s.windowResultsTopic;
            alertsTopic = s.alertsTopic;
            batchSize = s.batchSize;
            maxWait = s.maxWait;
            sampleRate = s.sampleRate;
            windowSamples = s.windowSamples;
            windowDuration = s.windowDuration;
            enterAfter = s.enterAfter;
            exitAfter = s.exitAfter;
            pollTimeout = s.pollTimeout;
            reloadInterval = s.reloadInterval;
            commitInterval = s.commitInterval;
            decodeLimits = s.decodeLimits;
            maxRecordBytes = s.maxRecordBytes;
            forwardWorkers = s.forwardWorkers;
            fleet = s.fleet;
            publishMoments = s.publishMoments;
        }

        public Builder topics(List<String> topics) {
            this.topics = topics;
            return this;
        }

        public Builder deadLetterTopic(String topic) {
            this.deadLetterTopic = topic;
            return this;
        }

        public Builder windowResultsTopic(String topic) {
            this.windowResultsTopic = topic;
            return this;
        }

        public Builder alertsTopic(String topic) {
            this.alertsTopic = topic;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder maxWait(Duration maxWait) {
            this.maxWait = maxWait;
            return this;
        }

        public Builder sampleRate(double sampleRate) {
            this.sampleRate = sampleRate;
            return this;
        }

        /** Forwarded samples that close a window; 0 = by time only. */
        public Builder windowSamples(int windowSamples) {
            this.windowSamples = windowSamples;
            return this;
        }

        /** Longest window; {@code null} = by count only. */
        public Builder windowDuration(Duration windowDuration) {
            this.windowDuration = windowDuration;
            return this;
        }

        public Builder enterAfter(int enterAfter) {
            this.enterAfter = enterAfter;
            return this;
        }

        public Builder exitAfter(int exitAfter) {
            this.exitAfter = exitAfter;
            return this;
        }

        public Builder pollTimeout(Duration pollTimeout) {
            this.pollTimeout = pollTimeout;
            return this;
        }

        public Builder reloadInterval(Duration reloadInterval) {
            this.reloadInterval = reloadInterval;
            return this;
        }

        public Builder commitInterval(Duration commitInterval) {
            this.commitInterval = commitInterval;
            return this;
        }

        /** {@code null} = {@link DecodeLimits#DEFAULT}. */
        public Builder decodeLimits(DecodeLimits decodeLimits) {
            this.decodeLimits = decodeLimits;
            return this;
        }

        /**
         * The producer's max.request.size. Unless set (or taken over by {@link LoopSettings#toBuilder()}),
         * it is {@link LoopSettings#alignedRequestBytes} of the decode limits.
         */
        public Builder maxRecordBytes(int bytes) {
            this.maxRecordBytes = bytes;
            return this;
        }

        /** Threads forwarding each model's batches (1: on the loop thread itself). */
        public Builder forwardWorkers(int workers) {
            this.forwardWorkers = workers;
            return this;
        }

        /** Fleet mode: the agent publishes partials, a fleet judge merges and judges them; null = single-agent mode. */
        public Builder fleet(Fleet fleet) {
            this.fleet = fleet;
            return this;
        }

        /** Whether window results carry each layer's moments ({@code window.publish-moments}). */
        public Builder publishMoments(boolean publish) {
            this.publishMoments = publish;
            return this;
        }

        /** @throws IllegalArgumentException naming the first bad property and the fix */
        public LoopSettings build() {
            int requestBytes = maxRecordBytes != null ? maxRecordBytes
                    : alignedRequestBytes(decodeLimits == null ? DecodeLimits.DEFAULT : decodeLimits);
            return new LoopSettings(topics, deadLetterTopic, windowResultsTopic, alertsTopic, batchSize, maxWait,
                    sampleRate, windowSamples, windowDuration, enterAfter, exitAfter, pollTimeout, reloadInterval,
                    commitInterval, decodeLimits, requestBytes, forwardWorkers, fleet, publishMoments);
        }
    }
}
