package io.varshift.trainer.evaluate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Composes windows of row indices from a pool of labelled rows in a given {@link TrafficOrder}.
 * Rows are drawn independently with replacement (uniformly within their class): live requests are
 * independent draws from the population, and the pool's empirical distribution is the population
 * it knows. Drawing without replacement instead makes a window of 1000 from a pool of 5000 a
 * finite-population subsample whose mean varies 20 % less than a live window's; with the few
 * effective degrees of freedom of a real layer's statistic that halved the upper quantiles' reach
 * and showed a calibrated null as conservative.
 */
final class WindowComposer {

    private final int[] all;
    /** Rows of each class present in the pool. */
    private final int[][] byClass;

    /** @param labels the true label of every pool row (row i has label labels[i]) */
    WindowComposer(int[] labels) {
        if (labels.length == 0) {
            throw new IllegalArgumentException("window composer: the pool has no rows");
        }
        int classes = Arrays.stream(labels).max().orElseThrow() + 1;
        List<List<Integer>> groups = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            groups.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                throw new IllegalArgumentException("window composer: row " + i + " has label " + labels[i]
                        + "; labels must be >= 0");
            }
            groups.get(labels[i]).add(i);
        }
        byClass = groups.stream().filter(g -> !g.isEmpty())
                .map(g -> g.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
        all = new int[labels.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
    }

    /** Fills rows[0..n) with one window of the order, in arrival order. */
    void compose(TrafficOrder order, int n, SplittableRandom random, int[] rows) {
        if (n < 1 || rows.length < n) {
            throw new IllegalArgumentException("window composer: window of " + n + " rows into a buffer of "
                    + rows.length + "; need 1 <= n <= buffer length");
        }
        switch (order.kind()) {
            case SHUFFLED -> {
                for (int i = 0; i < n; i++) {
                    rows[i] = takeAny(random);
                }
            }
            case RUNS -> {
                // The window starts at a random point of a run, as a window boundary falls anywhere in a stream.
                int length = order.runLength();
                int phase = random.nextInt(length);
                int k = random.nextInt(byClass.length);
                for (int i = 0; i < n; i++) {
                    if (i > 0 && (i + phase) % length == 0) {
                        k = random.nextInt(byClass.length);
                    }
                    rows[i] = take(k, random);
                }
            }
            case ONE_CLASS -> {
                if (byClass.length < 2) {
                    throw new IllegalArgumentException("window composer: one class at a share needs at least two"
                            + " classes in the pool, it has " + byClass.length);
                }
                // The dominant class is drawn per window, so that every class takes the role.
                int dominant = random.nextInt(byClass.length);
                for (int i = 0; i < n; i++) {
                    int k;
                    if (random.nextDouble() < order.parameter()) {
                        k = dominant;
                    } else {
                        k = random.nextInt(byClass.length - 1);
                        k = k >= dominant ? k + 1 : k;
                    }
                    rows[i] = take(k, random);
                }
            }
        }
    }

    private int take(int k, SplittableRandom random) {
        int[] members = byClass[k];
        return members[random.nextInt(members.length)];
    }

    private int takeAny(SplittableRandom random) {
        return all[random.nextInt(all.length)];
    }
}
