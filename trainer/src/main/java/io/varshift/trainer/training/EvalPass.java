package io.varshift.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.varshift.core.data.BatchFeeder;
import io.varshift.core.data.ImageSet;
import io.varshift.trainer.jobs.JobContext;

/**
 * One eval-mode pass (dropout off, BN on its running statistics) of a block over an image set.
 * Whatever BN probe listener is attached sees every batch; the pass itself returns the accuracy.
 */
public final class EvalPass {

    private EvalPass() {
    }

    /**
     * @param manager where batch arrays live; each batch gets its own sub-manager
     * @return top-1 accuracy on the set, NaN when it has no labels
     */
    public static double run(Block block, NDManager manager, ImageSet set, int batchSize, JobContext context,
                             String phase) {
        BatchFeeder feeder = new BatchFeeder(Math.min(batchSize, Math.max(1, set.size())), set.sampleShape());
        ParameterStore parameters = new ParameterStore(manager, false);
        long correct = 0;
        for (int from = 0; from < set.size(); from += feeder.maxBatch()) {
            context.checkCancelled();
            int to = Math.min(set.size(), from + feeder.maxBatch());
            try (NDManager batch = manager.newSubManager()) {
                NDArray x = feeder.images(batch, set, from, to);
                NDArray logits = block.forward(parameters, new NDList(x), false).singletonOrThrow();
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
