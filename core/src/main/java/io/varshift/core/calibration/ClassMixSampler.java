package io.varshift.core.calibration;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws bootstrap windows from a pool of clean rows under varied class mixes, so that the null
 * holds the variation that bursts and skewed traffic bring. Half the windows are drawn uniformly
 * (shuffled traffic); of the other half, one in {@value #ONE_CLASS_EVERY} holds a single class (one
 * client sending one category: every row from one class drawn uniformly), and the rest first draw
 * class weights w ~ Dirichlet(a, …, a) with a log-uniform in [{@value #MIN_CONCENTRATION},
 * {@value #MAX_CONCENTRATION}] (from one or two classes dominating to near balance), then each row's
 * class from w and the row uniformly within its class. Pure one-class windows are drawn on their
 * own because even a = 0.05 seldom gives one: without them, windows of 64 from one class each were
 * over α = 1e-3 at 1.8 α on unseen images.
 * Within a window, order does not change the moments: any arrival order (same-class runs, a class
 * at 60 %) is a class-count distribution, which this covers.
 */
final class ClassMixSampler {

    static final double MIN_CONCENTRATION = 0.05;
    static final double MAX_CONCENTRATION = 5;
    /** One in this many class-mixed windows holds a single class. */
    static final int ONE_CLASS_EVERY = 4;

    private final int[] pool;
    private final int[][] byClass;

    /**
     * @param pool the rows to draw from
     * @param classOf the class of every row (true label when known, else the predicted class)
     */
    ClassMixSampler(int[] pool, int[] classOf, int classes) {
        this.pool = pool.clone();
        List<List<Integer>> groups = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            groups.add(new ArrayList<>());
        }
        for (int row : pool) {
            groups.get(classOf[row]).add(row);
        }
        byClass = groups.stream().filter(g -> !g.isEmpty())
                .map(g -> g.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
    }

    /** Fills rows[0..n) with one window's draw. */
    void draw(SplittableRandom random, int[] rows, int n) {
        if (byClass.length < 2 || random.nextBoolean()) {
            for (int i = 0; i < n; i++) {
                rows[i] = pool[random.nextInt(pool.length)];
            }
            return;
        }
        if (random.nextInt(ONE_CLASS_EVERY) == 0) {
            int[] members = byClass[random.nextInt(byClass.length)];
            for (int i = 0; i < n; i++) {
                rows[i] = members[random.nextInt(members.length)];
            }
            return;
        }
        double a = Math.exp(Math.log(MIN_CONCENTRATION)
                + random.nextDouble() * (Math.log(MAX_CONCENTRATION) - Math.log(MIN_CONCENTRATION)));
        double[] cumulative = new double[byClass.length];
        double total = 0;
        for (int k = 0; k < cumulative.length; k++) {
            total += gamma(random, a);
            cumulative[k] = total;
        }
        for (int i = 0; i < n; i++) {
            double u = random.nextDouble() * total;
            int k = 0;
            while (k < cumulative.length - 1 && cumulative[k] <= u) {
                k++;
            }
            int[] members = byClass[k];
            rows[i] = members[random.nextInt(members.length)];
        }
    }

    /** Gamma(shape, 1) by Marsaglia and Tsang; shapes below 1 by the U^(1/shape) boost. */
    static double gamma(SplittableRandom random, double shape) {
        if (shape < 1) {
            double u = random.nextDouble();
            return gamma(random, shape + 1) * Math.pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = random.nextGaussian();
            double v = 1 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = random.nextDouble();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }
}
