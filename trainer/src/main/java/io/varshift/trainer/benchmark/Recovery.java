package io.varshift.trainer.benchmark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.data.ImageSet;
import io.varshift.core.json.Json;
import io.varshift.core.model.BnReestimator;
import io.varshift.core.model.LoadedModel;
import io.varshift.core.probe.BnProbes;
import io.varshift.trainer.progress.JobContext;
import io.varshift.trainer.training.EvalPass;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Label-free recovery: the accuracy on a corrupted pool after re-estimating every BN layer's running
 * statistics (Adjust BN, {@link BnReestimator}) on N unlabeled images drawn from it, for each N of the
 * config and for the whole pool, against no adaptation. The pool's accuracy is measured on all of its
 * images; the model's own statistics are restored after each N.
 */
final class Recovery {

    private Recovery() {
    }

    /**
     * @param model a copy of the benchmarked model that only this measurement changes
     * @param before the pool's accuracy without adaptation
     */
    static ObjectNode measure(LoadedModel model, ImageSet corrupted, double before, BenchmarkConfig config,
            int batchSize, JobContext context, String phase, Random random) {
        BnProbes probes = BnProbes.attach(model.block());
        List<double[][]> stored = new ArrayList<>();
        for (int l = 0; l < probes.layerCount(); l++) {
            stored.add(new double[][] {probes.runningMean(l), probes.runningVar(l)});
        }
        ObjectNode o = Json.object();
        o.put("none", before);
        try {
            for (int n : config.recoverySizes()) {
                if (n < corrupted.size()) {
                    o.put(String.valueOf(n), adapted(model, sample(corrupted, n, random), corrupted,
                            batchSize, context, phase));
                }
                restore(probes, stored);
            }
            o.put("all", adapted(model, corrupted, corrupted, batchSize, context, phase));
        } finally {
            restore(probes, stored);
        }
        return o;
    }

    private static double adapted(LoadedModel model, ImageSet adaptOn, ImageSet evaluateOn, int batchSize,
            JobContext context, String phase) {
        BnReestimator.reestimate(model.block(), adaptOn, batchSize, model.model().getNDManager());
        return EvalPass.run(model.block(), model.model().getNDManager(), evaluateOn, batchSize, context, phase);
    }

    private static void restore(BnProbes probes, List<double[][]> stored) {
        for (int l = 0; l < stored.size(); l++) {
            probes.setRunningStats(l, stored.get(l)[0], stored.get(l)[1]);
        }
    }

    /** n distinct images drawn at random, labels dropped (the adaptation does not see them). */
    private static ImageSet sample(ImageSet set, int n, Random random) {
        int[] order = new int[set.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = 0; i < n; i++) {
            int j = i + random.nextInt(order.length - i);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        float[] values = new float[n * set.sampleSize()];
        FloatBuffer buffer = FloatBuffer.wrap(values);
        for (int i = 0; i < n; i++) {
            set.copySample(order[i], buffer);
        }
        return ImageSet.ofFloats(values, null, set.sampleShape());
    }
}
