package io.varshift.trainer.benchmark;

import io.varshift.core.calibration.PredictionMix;
import io.varshift.core.peer.FeatureKsDetector;
import io.varshift.core.peer.KolmogorovSmirnov;
import io.varshift.core.peer.MmdDetector;
import io.varshift.core.peer.SoftmaxDetector;

import java.nio.FloatBuffer;
import java.util.Arrays;
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

    /** KS per pixel, MMD on features, BBSD on softmax, each with every row of {@code reference}. */
    static List<BenchmarkDetector> all(Pool reference, BenchmarkConfig config) {
        int[] rows = WindowDraw.all(reference.size()).rows();
        return List.of(new KsPixels(reference, rows), new Mmd(reference, rows, config), new Bbsd(reference, rows));
    }

    /** alibi-detect's KSDrift on the raw pixels: one KS test per pixel, Bonferroni over the pixels. */
    static final class KsPixels implements BenchmarkDetector {
        private final FeatureKsDetector test;
        private final Pool reference;
        private final int pixels;
        private float[] window = new float[0];

        KsPixels(Pool reference, int[] rows) {
            this.reference = reference;
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
            return VarshiftDetector.logP(test.test(window(pool, rows, n)).pValue());
        }

        /** Every pixel has the same sample sizes, so the smallest p is that of the largest D. */
        @Override
        public double calibrationScore(int[] referenceRows, int n) {
            int all = test.referenceRows();
            double d = KolmogorovSmirnov.leaveOutStatistic(test.test(window(reference, referenceRows, n)).statistic(),
                    n, all);
            return VarshiftDetector.logP(Math.min(1, pixels * KolmogorovSmirnov.pValue(d, n, all - n)));
        }

        private float[] window(Pool pool, int[] rows, int n) {
            if (window.length != n * pixels) {
                window = new float[n * pixels];
            }
            return gatherPixels(pool, rows, n, window);
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
     * thresholds the MMD² against every reference row; the permutation p-value, the peers' own decision,
     * uses a subsample of {@code mmdReference} rows (its kernel matrix is quadratic in them) and is
     * computed on a subset of the clean windows.
     */
    static final class Mmd implements BenchmarkDetector {
        private final MmdDetector test;
        private final MmdDetector permutation;
        private final Pool reference;
        private final int dim;
        private float[] window = new float[0];

        Mmd(Pool reference, int[] rows, BenchmarkConfig config) {
            this.reference = reference;
            dim = reference.featureDim;
            float[] features = gather(reference.features, dim, rows, rows.length, new float[rows.length * dim]);
            test = new MmdDetector(features, dim, rows.length, config.permutations(), config.seed());
            permutation = new MmdDetector(features, dim, config.mmdReference(), config.permutations(), config.seed());
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
        public double calibrationScore(int[] referenceRows, int n) {
            return test.leaveOutMmd2(window(reference, referenceRows, n));
        }

        @Override
        public boolean scoreIsLogP() {
            return false;
        }

        double permutationPValue(Pool pool, int[] rows, int n, int permutations, Random random) {
            return permutation.permutationTest(window(pool, rows, n), permutations, random).pValue();
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
        private final Pool reference;
        private final int classes;
        private final long[] referenceCounts;
        private final long[] windowCounts;
        private final long[] restCounts;
        private float[] window = new float[0];

        Bbsd(Pool reference, int[] rows) {
            this.reference = reference;
            classes = reference.classes;
            test = SoftmaxDetector.ofProbabilities(gather(reference.softmax, classes, rows, rows.length,
                    new float[rows.length * classes]), classes);
            referenceCounts = new long[classes];
            for (int r : rows) {
                referenceCounts[reference.predicted[r]]++;
            }
            windowCounts = new long[classes];
            restCounts = new long[classes];
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
            return VarshiftDetector.logP(test.test(window(pool, rows, n)).pValue());
        }

        /** The KS part by the leave-out identity, the chi-square against the rest's counts. */
        @Override
        public double calibrationScore(int[] referenceRows, int n) {
            SoftmaxDetector.Outcome outcome = test.test(window(reference, referenceRows, n));
            int all = reference.size();
            double ks = KolmogorovSmirnov.pValue(KolmogorovSmirnov.leaveOutStatistic(outcome.statistic(), n, all),
                    n, all - n);
            Arrays.fill(windowCounts, 0);
            for (int i = 0; i < n; i++) {
                windowCounts[reference.predicted[referenceRows[i]]]++;
            }
            for (int k = 0; k < classes; k++) {
                restCounts[k] = referenceCounts[k] - windowCounts[k];
            }
            double chiSquare = PredictionMix.pValue(windowCounts, restCounts);
            return VarshiftDetector.logP(Math.min(1, 2 * Math.min(ks, chiSquare)));
        }

        private float[] window(Pool pool, int[] rows, int n) {
            if (window.length != n * classes) {
                window = new float[n * classes];
            }
            return gather(pool.softmax, classes, rows, n, window);
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
