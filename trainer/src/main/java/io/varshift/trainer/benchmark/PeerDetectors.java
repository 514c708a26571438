package io.varshift.trainer.benchmark;

import io.varshift.core.peer.FeatureKsDetector;
import io.varshift.core.peer.MmdDetector;
import io.varshift.core.peer.SoftmaxDetector;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Random;

/**
 * The peers' detectors (core {@code peer}) over pool rows: each gathers the window's rows of its own
 * input (pixels, projected penultimate features, softmax outputs) into a reused buffer and tests them
 * against a reference of calibration rows.
 */
final class PeerDetectors {

    private PeerDetectors() {
    }

    /** KS per pixel, MMD on features, BBSD on softmax, all with {@code referenceRows} of {@code reference}. */
    static List<BenchmarkDetector> all(Pool reference, int[] referenceRows, BenchmarkConfig config) {
        return List.of(new KsPixels(reference, referenceRows), new Mmd(reference, referenceRows, config),
                new Bbsd(reference, referenceRows));
    }

    /** alibi-detect's KSDrift on the raw pixels: one KS test per pixel, Bonferroni over the pixels. */
    static final class KsPixels implements BenchmarkDetector {
        private final FeatureKsDetector test;
        private final int pixels;
        private float[] window = new float[0];

        KsPixels(Pool reference, int[] rows) {
            pixels = reference.images.sampleSize();
            test = new FeatureKsDetector(gatherPixels(reference, rows, rows.length, new float[rows.length * pixels]),
                    pixels);
        }

        @Override
        public String name() {
            return "ks-pixels";
        }

        @Override
        public String description() {
            return "two-sample KS test per input pixel (asymptotic p with Stephens' correction), Bonferroni over the"
                    + " pixels (alibi-detect KSDrift)";
        }

        @Override
        public double score(Pool pool, int[] rows, int n) {
            if (window.length != n * pixels) {
                window = new float[n * pixels];
            }
            return VarshiftDetector.logP(test.test(gatherPixels(pool, rows, n, window)).pValue());
        }

        @Override
        public boolean scoreIsLogP() {
            return true;
        }

        private static float[] gatherPixels(Pool pool, int[] rows, int n, float[] out) {
            FloatBuffer buffer = FloatBuffer.wrap(out);
            for (int i = 0; i < n; i++) {
                pool.images.copySample(rows[i], buffer);
            }
            return out;
        }
    }

    /**
     * alibi-detect's MMDDrift / TorchDrift's kernel MMD on the classifier's input features (projected to
     * a few dimensions by a fixed Gaussian matrix), RBF kernel with the median heuristic. The benchmark
     * thresholds the MMD² itself; the permutation p-value, the peers' own decision, is computed on a
     * subset of the clean windows because it costs a kernel matrix per permutation.
     */
    static final class Mmd implements BenchmarkDetector {
        private final MmdDetector test;
        private final int dim;
        private float[] window = new float[0];

        Mmd(Pool reference, int[] rows, BenchmarkConfig config) {
            dim = reference.featureDim;
            test = new MmdDetector(gather(reference.features, dim, rows, rows.length, new float[rows.length * dim]),
                    dim, config.mmdReference(), config.permutations(), config.seed());
        }

        @Override
        public String name() {
            return "mmd-features";
        }

        @Override
        public String description() {
            return "kernel MMD² (biased V-statistic, RBF kernel, median heuristic) on the penultimate features"
                    + " projected to a few dimensions (alibi-detect MMDDrift, TorchDrift)";
        }

        @Override
        public double score(Pool pool, int[] rows, int n) {
            return test.mmd2(window(pool, rows, n));
        }

        @Override
        public boolean scoreIsLogP() {
            return false;
        }

        double permutationPValue(Pool pool, int[] rows, int n, int permutations, Random random) {
            return test.permutationTest(window(pool, rows, n), permutations, random).pValue();
        }

        private float[] window(Pool pool, int[] rows, int n) {
            if (window.length != n * dim) {
                window = new float[n * dim];
            }
            return gather(pool.features, dim, rows, n, window);
        }
    }

    /** "Failing Loudly"'s BBSD: KS on the max-softmax and chi-square on the predicted classes, Bonferroni. */
    static final class Bbsd implements BenchmarkDetector {
        private final SoftmaxDetector test;
        private final int classes;
        private float[] window = new float[0];

        Bbsd(Pool reference, int[] rows) {
            classes = reference.classes;
            test = SoftmaxDetector.ofProbabilities(gather(reference.softmax, classes, rows, rows.length,
                    new float[rows.length * classes]), classes);
        }

        @Override
        public String name() {
            return "bbsd-softmax";
        }

        @Override
        public String description() {
            return "KS on the max-softmax and chi-square on the predicted classes, Bonferroni over the two (BBSD,"
                    + " Rabanser et al. 2019)";
        }

        @Override
        public double score(Pool pool, int[] rows, int n) {
            if (window.length != n * classes) {
                window = new float[n * classes];
            }
            return VarshiftDetector.logP(test.test(gather(pool.softmax, classes, rows, n, window)).pValue());
        }

        @Override
        public boolean scoreIsLogP() {
            return true;
        }
    }

    private static float[] gather(float[] values, int width, int[] rows, int n, float[] out) {
        for (int i = 0; i < n; i++) {
            System.arraycopy(values, rows[i] * width, out, i * width, width);
        }
        return out;
    }
}
