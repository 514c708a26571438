package io.varshift.trainer.report;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.varshift.core.data.ImageSet;
import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.probe.BnProbes;
import io.varshift.core.reference.LayerReference;
import io.varshift.core.shift.LayerStatistics;
import io.varshift.core.spec.ModelSpec;
import io.varshift.trainer.progress.JobContext;
import io.varshift.trainer.training.EvalPass;

import java.util.ArrayList;
import java.util.List;

/**
 * The paper's measurement, the one path of the report job, the experiment and its theory check: an
 * eval-mode pass over training and one over held-out data, and per BN layer the variance its input
 * really has against the stored moving variance. Where a dropout feeds the layer directly (read from
 * the spec's block by {@link io.varshift.core.model.ModelBlocks#bnLayersAfterDropout}, whatever the
 * layers are called) it adds the theoretical shift Δ from the training-data moments.
 */
public final class ShiftMeasurement {

    /**
     * One model measured.
     *
     * @param layers every BN layer in forward order
     */
    public record Measured(int trainSamples, int heldOutSamples, double trainAccuracy, double heldOutAccuracy,
                           List<LayerShift> layers) {
        public Measured {
            layers = List.copyOf(layers);
        }
    }

    private ShiftMeasurement() {
    }

    /**
     * @param stored the moving statistics to compare with, one per probe in forward order
     * @param withTheory false when the moving variance no longer holds training-mode variances (after a
     *     re-estimation): the dropout theory does not apply then
     * @param heldOut the held-out samples; when it is {@code train} itself one pass serves both
     */
    public static Measured measure(ModelSpec spec, Block block, BnProbes probes, List<LayerReference> stored,
                                   boolean withTheory, NDManager manager, ImageSet train, ImageSet heldOut,
                                   int batchSize, JobContext context) {
        EvalPass.Measured onTrain = EvalPass.measure(block, probes, manager, train, batchSize, false, context,
                "training data");
        EvalPass.Measured onHeldOut = heldOut == train ? onTrain : EvalPass.measure(block, probes, manager, heldOut,
                batchSize, false, context, "held-out data");
        List<LayerShift> layers = new ArrayList<>();
        boolean dropoutSeen = false;
        for (int i = 0; i < probes.layerCount(); i++) {
            LayerReference layer = stored.get(i);
            ChannelMoments trainMoments = onTrain.collector().moments(i);
            DropoutTheory theory = withTheory
                    ? DropoutTheory.forLayer(spec, layer.name(), trainMoments, dropoutSeen).orElse(null) : null;
            dropoutSeen |= theory != null;
            layers.add(new LayerShift(layer.name(), layer.channels(), average(layer.runningVar()),
                    LayerStatistics.of(trainMoments, layer),
                    LayerStatistics.of(onHeldOut.collector().moments(i), layer), theory));
        }
        return new Measured(train.size(), heldOut.size(), onTrain.accuracy(), onHeldOut.accuracy(), layers);
    }

    static double average(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
