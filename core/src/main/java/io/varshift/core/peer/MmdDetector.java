package io.varshift.core.peer;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The kernel two-sample test on the maximum mean discrepancy (Gretton et al. 2012) with a Gaussian RBF
 * kernel k(x, y) = exp(−‖x − y‖²/(2σ²)) and a permutation null, as alibi-detect's {@code MMDDrift} and
 * TorchDrift's {@code KernelMMDDriftDetector} run it. The statistic is the biased (V-statistic) estimate
 * MMD² = mean K_xx + mean K_yy − 2 mean K_xy over all ordered pairs, diagonals included (alibi drops the
 * diagonals and divides by n(n − 1), the unbiased estimate; the permutation test is exact for either).
 *
 * <p>σ follows alibi's {@code sigma_median}: σ² = (lower median of the squared distances over the distinct
 * pairs of reference rows)/2, here over the pairs of at most {@value #MEDIAN_ROWS} rows of the (shuffled)
 * reference subsample. The reference's own kernel mean is computed once, so {@link #mmd2} costs
 * O(n·m·d + m²·d); the permutation test also keeps the n×n reference kernel matrix (8·n² bytes), made on
 * its first use.
 */
public final class MmdDetector implements WindowDetector {

    /** The median heuristic looks at the distinct pairs of at most this many reference rows. */
    public static final int MEDIAN_ROWS = 1000;
    /** Reference rows per block when the reference is paired with itself. */
    private static final int REFERENCE_BLOCK = 256;
    private static final String NAME = "mmd-rbf";

    private final int features;
    private final int n;
    /** The reference subsample, row-major. */
    private final float[] reference;
    private final double sigma;
    /** 1/(2σ²). */
    private final double gamma;
    /** Σ k(x_i, x_j) over all n² ordered reference pairs. */
    private final double referenceSum;
    private final int permutations;
    private final SplittableRandom random;

    /** The last window, column by column, and the squared distances from one row to its rows. */
    private final DistanceBlock windowBlock;
    private double[] windowDistances = new double[0];
    /** k(x_i, y_j) at i·m + j for the last window. */
    private double[] crossKernel = new double[0];
    /** k(y_j, y_l) at j·m + l for the last window. */
    private double[] windowKernel = new double[0];
    private double crossSum;
    private double windowSum;

    /** k(x_i, x_j) at i·n + j for i &lt; j (the pairs a relabelling reads); made by the first permutation test. */
    private double[] referenceKernel;
    private double[] referenceRowSums;
    /** Row sums of the pooled (reference, then window) kernel matrix. */
    private double[] pooledRowSums = new double[0];
    private int[] pool = new int[0];
    private int[] group = new int[0];

    /**
     * @param reference the reference rows, row-major, {@code features} floats to a row, no NaN
     * @param referenceSize the most reference rows kept: a seeded random subsample when there are more
     * @param permutations the permutations {@link #test} draws for its p-value
     * @param seed seeds the subsample and {@link #test}'s permutations
     * @throws IllegalArgumentException when the reference is not whole rows, has fewer than 2 rows or NaN, when
     *         referenceSize &lt; 2 or permutations &lt; 1, or when most reference rows coincide (σ would be 0)
     */
    public MmdDetector(float[] reference, int features, int referenceSize, int permutations, long seed) {
        int total = Rows.count(NAME, "reference", reference, features);
        Rows.requireNoNaN(NAME, "reference", reference, features);
        if (referenceSize < 2) {
            throw new IllegalArgumentException(NAME + ": referenceSize = " + referenceSize + " must be >= 2");
        }
        if (total < 2) {
            throw new IllegalArgumentException(NAME + ": the reference has " + total
                    + " row; the median heuristic needs at least 2");
        }
        if (permutations < 1) {
            throw new IllegalArgumentException(NAME + ": permutations = " + permutations + " must be >= 1");
        }
        SplittableRandom subsampling = new SplittableRandom(seed);
        this.features = features;
        this.n = Math.min(total, referenceSize);
        this.permutations = permutations;
        this.reference = subsample(reference, total, subsampling);
        this.sigma = medianSigma();
        this.gamma = 1 / (2 * sigma * sigma);
        double[] offDiagonal = {0};
        forReferencePairs(n, (i, firstRow, from, to, squared) -> {
            for (int j = from; j < to; j++) {
                offDiagonal[0] += Math.exp(-gamma * squared[j]);
            }
        });
        this.referenceSum = n + 2 * offDiagonal[0];
        this.windowBlock = new DistanceBlock(features, 0);
        this.random = subsampling.split();
    }

    /** The first n rows of a seeded shuffle, so that the median's rows are a random subset too. */
    private float[] subsample(float[] all, int total, SplittableRandom shuffling) {
        int[] order = new int[total];
        for (int i = 0; i < total; i++) {
            order[i] = i;
        }
        float[] kept = new float[n * features];
        for (int i = 0; i < n; i++) {
            int pick = i + shuffling.nextInt(total - i);
            int row = order[pick];
            order[pick] = order[i];
            order[i] = row;
            System.arraycopy(all, row * features, kept, i * features, features);
        }
        return kept;
    }

    private double medianSigma() {
        int h = Math.min(n, MEDIAN_ROWS);
        double[] distances = new double[h * (h - 1) / 2];
        int[] next = {0};
        forReferencePairs(h, (i, firstRow, from, to, squared) -> {
            System.arraycopy(squared, from, distances, next[0], to - from);
            next[0] += to - from;
        });
        Arrays.sort(distances);
        double median = distances[(distances.length - 1) / 2];
        if (median == 0) {
            throw new IllegalArgumentException(NAME + ": the median squared distance between " + h
                    + " reference rows is 0 (most rows coincide), so the RBF bandwidth is undefined");
        }
        return Math.sqrt(median / 2);
    }

    /** Receives the squared distances from reference row i to rows firstRow + [from, to), at squared[from, to). */
    private interface PairVisitor {
        void visit(int i, int firstRow, int from, int to, double[] squared);
    }

    /** Visits every pair i &lt; j of the first {@code rows} reference rows, a block of rows j at a time. */
    private void forReferencePairs(int rows, PairVisitor visitor) {
        DistanceBlock block = new DistanceBlock(features, REFERENCE_BLOCK);
        double[] squared = new double[REFERENCE_BLOCK];
        for (int first = 0; first < rows; first += REFERENCE_BLOCK) {
            int size = Math.min(REFERENCE_BLOCK, rows - first);
            block.load(reference, first, size);
            for (int i = 0; i < first + size - 1; i++) {
                int from = Math.max(0, i + 1 - first);
                block.distances(reference, i * features, from, size, squared);
                visitor.visit(i, first, from, size, squared);
            }
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int rowLength() {
        return features;
    }

    /** The reference rows kept: min(reference rows, referenceSize). */
    public int referenceRows() {
        return n;
    }

    /** The RBF bandwidth σ from the median heuristic. */
    public double sigma() {
        return sigma;
    }

    /**
     * The permutation test with the constructor's permutation count and seeded generator.
     *
     * @throws IllegalArgumentException as {@link #permutationTest}
     */
    @Override
    public Outcome test(float[] rows) {
        return permutationTest(rows, permutations, random);
    }

    /**
     * @return the biased MMD² between the reference subsample and the window
     * @throws IllegalArgumentException when the window is empty, not whole rows, or holds NaN
     */
    public double mmd2(float[] rows) {
        int m = fillWindowKernels(rows);
        return vStatistic(referenceSum, windowSum, crossSum, m);
    }

    /**
     * The biased MMD² between a window of the reference's own rows and the rest of the reference:
     * with W ⊂ R, the sums over (R∖W)² and W × (R∖W) follow from those over R², W × R and W², so the
     * cost is that of {@link #mmd2}. A random window of reference rows against the rest is distributed
     * as a fresh window against a reference of n − m rows: the null a threshold is calibrated on.
     *
     * @param rows m rows that are rows of the kept reference (the caller's promise; not checked), m &lt; n
     * @throws IllegalArgumentException when the window is empty, not whole rows, holds NaN, or is not smaller
     *         than the reference
     */
    public double leaveOutMmd2(float[] rows) {
        int m = fillWindowKernels(rows);
        if (m >= n) {
            throw new IllegalArgumentException(NAME + ": a window of " + m + " reference rows leaves nothing of a"
                    + " reference of " + n);
        }
        int rest = n - m;
        double restPairs = referenceSum - 2 * crossSum + windowSum;
        double crossPairs = crossSum - windowSum;
        return windowSum / ((double) m * m) + restPairs / ((double) rest * rest) - 2 * crossPairs / ((double) m * rest);
    }

    /**
     * The permutation test: pool the reference subsample and the window, relabel a random m of the pooled rows
     * as the window {@code permutations} times, and count the relabellings whose MMD² reaches the observed one.
     *
     * @return p = (1 + #{MMD²_perm ≥ MMD²_obs})/(1 + permutations) and the observed MMD²
     * @throws IllegalArgumentException when the window is empty, not whole rows, or holds NaN, or permutations &lt; 1
     */
    public Outcome permutationTest(float[] rows, int permutations, RandomGenerator random) {
        if (permutations < 1) {
            throw new IllegalArgumentException(NAME + ": permutations = " + permutations + " must be >= 1");
        }
        int m = fillWindowKernels(rows);
        ensureReferenceKernel();
        int pooled = n + m;
        if (pool.length < pooled) {
            pool = new int[pooled];
            pooledRowSums = new double[pooled];
        }
        System.arraycopy(referenceRowSums, 0, pooledRowSums, 0, n);
        Arrays.fill(pooledRowSums, n, pooled, 0);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double k = crossKernel[i * m + j];
                pooledRowSums[i] += k;
                pooledRowSums[n + j] += k;
            }
        }
        for (int j = 0; j < m; j++) {
            for (int l = 0; l < m; l++) {
                pooledRowSums[n + j] += windowKernel[j * m + l];
            }
        }
        double total = referenceSum + 2 * crossSum + windowSum;
        // Relabel the smaller side: its pairs' sum and its row sums give the other two sums (see labelledMmd2).
        boolean windowSide = m <= n;
        int size = windowSide ? m : n;
        if (group.length < size) {
            group = new int[size];
        }
        for (int t = 0; t < size; t++) {
            group[t] = windowSide ? n + t : t;
        }
        // The observed labelling goes through the same arithmetic as the permuted ones, so that it ties with itself.
        double observed = labelledMmd2(size, windowSide, m, total);
        for (int t = 0; t < pooled; t++) {
            pool[t] = t;
        }
        int atLeast = 0;
        for (int p = 0; p < permutations; p++) {
            for (int t = 0; t < size; t++) {
                int pick = t + random.nextInt(pooled - t);
                int row = pool[pick];
                pool[pick] = pool[t];
                pool[t] = row;
            }
            System.arraycopy(pool, 0, group, 0, size);
            if (labelledMmd2(size, windowSide, m, total) >= observed) {
                atLeast++;
            }
        }
        return new Outcome((1.0 + atLeast) / (1.0 + permutations), observed);
    }

    /**
     * MMD² when pooled rows {@code group[0, size)} carry the label of the window (windowSide) or of the reference.
     * With S the sum of the kernel over the group's ordered pairs and R its pooled row sums:
     * cross = R − S and other side = total − 2·cross − S.
     */
    private double labelledMmd2(int size, boolean windowSide, int m, double total) {
        Arrays.sort(group, 0, size);
        int split = 0;
        while (split < size && group[split] < n) {
            split++;
        }
        double rowSum = 0;
        for (int t = 0; t < size; t++) {
            rowSum += pooledRowSums[group[t]];
        }
        double referencePairs = 0;
        double crossPairs = 0;
        for (int s = 0; s < split; s++) {
            int a = group[s];
            for (int t = s + 1; t < split; t++) {
                referencePairs += referenceKernel[a * n + group[t]];
            }
            for (int t = split; t < size; t++) {
                crossPairs += crossKernel[a * m + group[t] - n];
            }
        }
        double windowPairs = 0;
        for (int s = split; s < size; s++) {
            int b = group[s] - n;
            for (int t = s + 1; t < size; t++) {
                windowPairs += windowKernel[b * m + group[t] - n];
            }
        }
        // k(x, x) = 1: the diagonal adds one per member.
        double inner = size + 2 * (referencePairs + windowPairs + crossPairs);
        double cross = rowSum - inner;
        double other = total - 2 * cross - inner;
        return windowSide ? vStatistic(other, inner, cross, m) : vStatistic(inner, other, cross, m);
    }

    private double vStatistic(double referencePairs, double windowPairs, double crossPairs, int m) {
        return referencePairs / ((double) n * n) + windowPairs / ((double) m * m) - 2 * crossPairs / ((double) n * m);
    }

    /** Fills the window's kernel blocks and sums; returns its row count. */
    private int fillWindowKernels(float[] rows) {
        int m = Rows.count(NAME, "window", rows, features);
        Rows.requireNoNaN(NAME, "window", rows, features);
        if (windowKernel.length < m * m) {
            windowKernel = new double[m * m];
            windowDistances = new double[m];
        }
        if (crossKernel.length < n * m) {
            crossKernel = new double[n * m];
        }
        windowBlock.load(rows, 0, m);
        crossSum = 0;
        for (int i = 0; i < n; i++) {
            windowBlock.distances(reference, i * features, 0, m, windowDistances);
            for (int j = 0; j < m; j++) {
                double k = Math.exp(-gamma * windowDistances[j]);
                crossKernel[i * m + j] = k;
                crossSum += k;
            }
        }
        double offDiagonal = 0;
        for (int j = 0; j < m; j++) {
            windowKernel[j * m + j] = 1;
            windowBlock.distances(rows, j * features, j + 1, m, windowDistances);
            for (int l = j + 1; l < m; l++) {
                double k = Math.exp(-gamma * windowDistances[l]);
                windowKernel[j * m + l] = k;
                windowKernel[l * m + j] = k;
                offDiagonal += k;
            }
        }
        windowSum = m + 2 * offDiagonal;
        return m;
    }

    private void ensureReferenceKernel() {
        if (referenceKernel != null) {
            return;
        }
        double[] kernel = new double[n * n];
        double[] rowSums = new double[n];
        Arrays.fill(rowSums, 1);
        forReferencePairs(n, (i, firstRow, from, to, squared) -> {
            for (int t = from; t < to; t++) {
                int j = firstRow + t;
                double k = Math.exp(-gamma * squared[t]);
                kernel[i * n + j] = k;
                rowSums[i] += k;
                rowSums[j] += k;
            }
        });
        referenceKernel = kernel;
        referenceRowSums = rowSums;
    }

    /**
     * @param pValue the permutation p-value, in [1/(1 + permutations), 1]
     * @param statistic the observed biased MMD²
     */
    public record Outcome(double pValue, double statistic) implements WindowOutcome {
    }
}
