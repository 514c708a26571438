package io.varshift.trainer.evaluate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Composes windows of row indices from a pool of labelled rows in a given {@link TrafficOrder}.
 * Within a window, rows are drawn without replacement (within their class for the class orders), a
 * class's rows starting a fresh pass only when a window has used them all.
 *
 * <p>Why not with replacement, as live requests are independent draws: the pool is a finite sample
 * whose mean is off the population's by its own error (variance σ²/M for M pool rows), an offset every
 * window drawn from it shares and live traffic does not have. Drawn without replacement, a window's
 * mean varies around the pool's by σ²(1/n − 1/M), so around the population by exactly σ²/n, as a live
 * window's, once the pool itself is a random sample (the evaluation's random splits). With
 * replacement the pool's offset came on top: averaged over five splits, shuffled windows of 1000
 * alarmed at 2.4 α (α = 1e-2) against a calibration that is right on average.
 */
final class WindowComposer {

    /** Every row, permuted in place as windows draw from it. */
    private final int[] all;
    /** Rows of each class present in the pool, permuted in place as windows draw from them. */
    private final int[][] byClass;
    /** Per class, how many of its rows the current window has drawn (in the current pass). */
    private final int[] used;
    private int allUsed;

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
        used = new int[byClass.length];
    }

    /** Fills rows[0..n) with one window of the order, in arrival order. */
    void compose(TrafficOrder order, int n, SplittableRandom random, int[] rows) {
        if (n < 1 || rows.length < n) {
            throw new IllegalArgumentException("window composer: window of " + n + " rows into a buffer of "
                    + rows.length + "; need 1 <= n <= buffer length");
        }
        java.util.Arrays.fill(used, 0);
        allUsed = 0;
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

    /** The next row of class k in this window: a partial Fisher–Yates shuffle of the class's rows. */
    private int take(int k, SplittableRandom random) {
        int[] members = byClass[k];
        if (used[k] == members.length) {
            used[k] = 0;
        }
        return draw(members, used[k]++, random);
    }

    private int takeAny(SplittableRandom random) {
        if (allUsed == all.length) {
            allUsed = 0;
        }
        return draw(all, allUsed++, random);
    }

    /** Swaps a uniform pick of deck[at..] into deck[at] and returns it. */
    private static int draw(int[] deck, int at, SplittableRandom random) {
        int j = at + random.nextInt(deck.length - at);
        int row = deck[j];
        deck[j] = deck[at];
        deck[at] = row;
        return row;
    }
}
