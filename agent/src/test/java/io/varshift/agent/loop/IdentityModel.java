package io.varshift.agent.loop;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.varshift.core.calibration.ModelCalibration;
import io.varshift.core.calibration.ModelCalibrator;
import io.varshift.core.calibration.SampleContributions;
import io.varshift.core.probe.BnProbes;
import io.varshift.core.reference.LayerReference;
import io.varshift.core.reference.ModelReference;

/**
 * A model whose single probed "BN layer" sees the input itself, in plain Java: the loop's Kafka,
 * window and commit logic is tested without DJL. Its reference is N(0, 1) per channel, calibrated
 * with the core calibrator on generated clean samples, so the window statistics are real.
 */
final class IdentityModel implements MonitoredModel {

    static final int CHANNELS = 8;

    private final String name;
    private final String version;
    private final ModelReference reference;
    /** Replicas made of this version (each registered once); a test checks that they are closed. */
    final List<IdentityModel> replicas;
    volatile int forwards;
    volatile boolean closed;

    private IdentityModel(IdentityModel of) {
        this.name = of.name;
        this.version = of.version;
        this.reference = of.reference;
        this.replicas = of.replicas;
        of.replicas.add(this);
    }

    IdentityModel(String name, String version, int calibratedWindow) {
        this.replicas = new java.util.concurrent.CopyOnWriteArrayList<>();
        this.name = name;
        this.version = version;
        double[] mean = new double[CHANNELS];
        double[] var = new double[CHANNELS];
        java.util.Arrays.fill(var, 1.0);
        SampleContributions clean = new SampleContributions(mean, 1);
        float[][] sums = sums(gaussian(4000, 1.0, 11), 4000);
        clean.add(sums[0], sums[1], 4000);
        // One position per channel: each channel is one cell, whose mean is the value (the shift is 0).
        clean.addCells(sums[0], 4000, 1);
        // One class: every sample is "predicted" as class 0, so the mixture is the pooled baseline.
        ModelCalibration calibration = new ModelCalibrator(400, 5).calibrate(new ModelCalibrator.HeldOut(
                List.of("input"), List.of(clean), new int[4000], null, 1), List.of(calibratedWindow), 1e-3);
        this.reference = new ModelReference(List.of(new LayerReference("input", mean, var)), calibration);
    }

    /** Samples of N(0, sd²) per channel, row-major [n][CHANNELS]. */
    static float[] gaussian(int n, double sd, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n * CHANNELS];
        for (int i = 0; i < x.length; i++) {
            double u1 = random.nextDouble();
            double u2 = random.nextDouble();
            x[i] = (float) (sd * Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2));
        }
        return x;
    }

    private static float[][] sums(float[] x, int n) {
        float[] s1 = new float[n * CHANNELS];
        float[] s2 = new float[n * CHANNELS];
        for (int i = 0; i < n * CHANNELS; i++) {
            s1[i] = x[i];
            s2[i] = x[i] * x[i];
        }
        return new float[][] {s1, s2};
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public int[] sampleShape() {
        return new int[] {CHANNELS};
    }

    @Override
    public ModelReference reference() {
        return reference;
    }

    @Override
    public int classes() {
        return 1;
    }

    @Override
    public void forward(ByteBuffer input, int samples, BnProbes.Listener sink, int[] predicted) {
        java.util.Arrays.fill(predicted, 0, samples, 0);
        FloatBuffer floats = input.asFloatBuffer();
        float[] x = new float[samples * CHANNELS];
        floats.get(x);
        float[][] s = sums(x, samples);
        forwards++;
        sink.onBatch(0, s[0], s[1], samples, 1);
        if (sink.wantsCells()) {
            sink.onCells(0, x, samples, CHANNELS, 1);
        }
    }

    @Override
    public IdentityModel replica() {
        return new IdentityModel(this);
    }

    @Override
    public void close() {
        closed = true;
    }

    /** A model source handing out queued versions, as the store watcher would. */
    static final class Source implements ModelSource {
        private final java.util.Set<String> names;
        final List<MonitoredModel> queue = new ArrayList<>();

        Source(String... names) {
            this.names = java.util.Set.of(names);
        }

        @Override
        public java.util.Set<String> names() {
            return names;
        }

        @Override
        public List<MonitoredModel> poll() {
            List<MonitoredModel> out = List.copyOf(queue);
            queue.clear();
            return out;
        }
    }
}
