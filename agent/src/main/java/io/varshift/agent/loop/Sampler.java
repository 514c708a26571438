package io.varshift.agent.loop;

/**
 * Decides per record whether it is forwarded. The decision is a hash of topic, partition and offset,
 * not a random draw, so that a replay after a crash or rebalance samples exactly the same records.
 */
final class Sampler {

    private final double rate;
    private final long threshold;

    Sampler(double rate) {
        if (!(rate > 0 && rate <= 1)) {
            throw new IllegalArgumentException("varshift.agent.sample-rate = " + rate
                    + ": must be in (0, 1]; use 1.0 to forward every record");
        }
        this.rate = rate;
        this.threshold = (long) (rate * (1L << 53));
    }

    double rate() {
        return rate;
    }

    boolean keep(String topic, int partition, long offset) {
        if (rate == 1.0) {
            return true;
        }
        long h = mix(topic.hashCode() * 0x9E3779B97F4A7C15L + partition * 0xC2B2AE3D27D4EB4FL + offset);
        return (h >>> 11) < threshold;
    }

    /** SplitMix64 finaliser: a well-spread 64-bit hash. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
