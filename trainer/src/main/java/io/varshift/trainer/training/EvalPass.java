package io.varshift.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

import io.varshift.core.data.BatchFeeder;
import io.varshift.core.data.ImageSet;
import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.probe.BnMomentsCollector;
import io.varshift.core.probe.BnProbes;
import io.varshift.trainer.progress.JobContext;
import java.util.ArrayList;
import java.util.List;

/**
 * One eval-mode pass (dropout off, BN on its running statistics) of a block over an image set.
 * Whatever BN probe listener is attached sees every batch; the pass itself returns the accuracy.
 */
public final class EvalPass {

    private EvalPass() {
    }

    /** What one measured pass saw at every BN input, each sample's predicted class, and the accuracy. */
    public record Measured(BnMomentsCollector collector, int[] predicted, double accuracy) {

        /** Each BN layer's input moments, in forward order. */
        public List<ChannelMoments> moments() {
            List<ChannelMoments> moments = new ArrayList<>();
            for (int i = 0; i < collector.layerCount(); i++) {
                moments.add(collector.moments(i));
            }
            return moments;
        }
    }

    /**
     * One eval-mode pass with a moments collector on {@code probes} for its duration (detached after,
     * also on failure); {@code keepSamples} keeps per-sample contributions for calibration.
     */
    public static Measured measure(Block block, BnProbes probes, NDManager manager, ImageSet set, int batchSize,
                                   boolean keepSamples, JobContext context, String phase) {
        BnMomentsCollector collector = BnMomentsCollector.attach(probes, keepSamples);
        try {
            int[] predicted = new int[set.size()];
            double accuracy = run(block, manager, set, batchSize, context, phase, predicted);
            return new Measured(collector, predicted, accuracy);
        } finally {
            probes.setListener(null);
        }
    }

    /**
     * @param manager where batch arrays live; each batch gets its own sub-manager
     * @return top-1 accuracy on the set, NaN when it has no labels
     */
    public static double run(Block block, NDManager manager, ImageSet set, int batchSize, JobContext context,
                             String phase) {
        return run(block, manager, set, batchSize, context, phase, null);
    }

    /** The same pass, also writing each sample's arg-max class into {@code predictedOrNull}. */
    private static double run(Block block, NDManager manager, ImageSet set, int batchSize, JobContext context,
                              String phase, int[] predictedOrNull) {
        BatchFeeder feeder = new BatchFeeder(Math.min(batchSize, Math.max(1, set.size())), set.sampleShape());
        ParameterStore parameters = new ParameterStore(manager, false);
        long correct = 0;
        for (int from = 0; from < set.size(); from += feeder.maxBatch()) {
            context.checkCancelled();
            int to = Math.min(set.size(), from + feeder.maxBatch());
            try (NDManager batch = manager.newSubManager()) {
                NDArray x = feeder.images(batch, set, from, to);
                NDArray logits = block.forward(parameters, new NDList(x), false).singletonOrThrow();
                if (predictedOrNull != null) {
                    long[] classes = logits.argMax(1).toLongArray();
                    for (int i = 0; i < classes.length; i++) {
                        predictedOrNull[from + i] = Math.toIntExact(classes[i]);
                    }
                }
                if (set.hasLabels()) {
                    correct += countCorrect(logits, feeder.labels(batch, set, from, to));
                }
            }
            context.progress((double) to / set.size(), phase);
        }
        return set.hasLabels() && set.size() > 0 ? (double) correct / set.size() : Double.NaN;
    }

    /** Number of rows whose arg-max equals the (float) label. */
    static long countCorrect(NDArray logits, NDArray labels) {
        return logits.argMax(1).toType(labels.getDataType(), false).eq(labels).countNonzero().getLong();
    }
}
