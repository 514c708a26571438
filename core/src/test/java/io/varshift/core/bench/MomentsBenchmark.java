package io.varshift.core.bench;

import io.varshift.core.moments.ChannelMoments;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of the agent's hot statistics path. Scores are ns per channel-update (one sample's sums
 * for one channel added) for accumulation, and ns per channel for merge and serialisation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MomentsBenchmark {

    private static final int UPDATES = 16_384;
    private static final int WIDE_CHANNELS = 256;
    private static final int NARROW_CHANNELS = 16;

    private float[] s1;
    private float[] s2;
    private ChannelMoments wide;
    private ChannelMoments narrow;
    private ChannelMoments other;
    private byte[] bytes;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(1);
        s1 = new float[UPDATES];
        s2 = new float[UPDATES];
        for (int i = 0; i < UPDATES; i++) {
            s1[i] = (float) random.nextGaussian();
            s2[i] = (float) (1 + random.nextDouble());
        }
        wide = new ChannelMoments(new double[WIDE_CHANNELS]);
        narrow = new ChannelMoments(new double[NARROW_CHANNELS]);
        double[] shift = new double[WIDE_CHANNELS];
        for (int c = 0; c < WIDE_CHANNELS; c++) {
            shift[c] = random.nextGaussian();
        }
        other = new ChannelMoments(shift);
        other.addSampleSums(s1, s2, UPDATES / WIDE_CHANNELS, 49);
        bytes = other.toBytes();
    }

    /** 64 samples × 256 channels per call. */
    @Benchmark
    @OperationsPerInvocation(UPDATES)
    public ChannelMoments addSampleSumsWide() {
        wide.addSampleSums(s1, s2, UPDATES / WIDE_CHANNELS, 49);
        return wide;
    }

    /** 1024 samples × 16 channels per call. */
    @Benchmark
    @OperationsPerInvocation(UPDATES)
    public ChannelMoments addSampleSumsNarrow() {
        narrow.addSampleSums(s1, s2, UPDATES / NARROW_CHANNELS, 49);
        return narrow;
    }

    /** Merge of 256 channels with a different shift (the re-shifting path). */
    @Benchmark
    @OperationsPerInvocation(WIDE_CHANNELS)
    public ChannelMoments mergeReshifted() {
        wide.merge(other);
        return wide;
    }

    /** Serialising and parsing 256 channels, as window results travel between agents. */
    @Benchmark
    @OperationsPerInvocation(WIDE_CHANNELS)
    public ChannelMoments bytesRoundTrip() {
        return ChannelMoments.fromBytes(other.toBytes());
    }

    /** Parsing only. */
    @Benchmark
    @OperationsPerInvocation(WIDE_CHANNELS)
    public ChannelMoments fromBytes() {
        return ChannelMoments.fromBytes(bytes);
    }
}
