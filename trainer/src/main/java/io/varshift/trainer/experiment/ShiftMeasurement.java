package io.varshift.trainer.experiment;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.varshift.core.data.ImageSet;
import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.reference.LayerReference;
import io.varshift.core.shift.LayerStatistics;
import io.varshift.core.spec.BnProbes;
import io.varshift.trainer.jobs.JobContext;
import io.varshift.trainer.training.EvalPass;

import java.util.ArrayList;
import java.util.List;

/**
 * The paper's measurement of a model with its current BN statistics: eval-mode passes over training
 * and held-out samples, per BN layer the real variance of its input against the moving variance.
 */
final class ShiftMeasurement {

    /** The measurement and the training-data moments of every BN input (for the theory check). */
    record Measured(CellResult.Measurement measurement, List<ChannelMoments> trainMoments) {
    }

    private ShiftMeasurement() {
    }

    static Measured measure(Block block, BnProbes probes, NDManager manager, ImageSet train, ImageSet heldOut,
                            int batchSize, JobContext context) {
        List<ChannelMoments> onTrain = new ArrayList<>();
        double trainAccuracy = pass(block, probes, manager, train, batchSize, context, onTrain);
        List<ChannelMoments> onHeldOut = new ArrayList<>();
        double heldOutAccuracy = pass(block, probes, manager, heldOut, batchSize, context, onHeldOut);
        List<CellResult.LayerRow> rows = new ArrayList<>();
        for (int i = 0; i < probes.layerCount(); i++) {
            double[] runningVar = probes.runningVar(i);
            LayerReference stored = new LayerReference(probes.layerNames().get(i), probes.runningMean(i), runningVar);
            LayerStatistics t = LayerStatistics.of(onTrain.get(i), stored);
            LayerStatistics h = LayerStatistics.of(onHeldOut.get(i), stored);
            rows.add(new CellResult.LayerRow(stored.name(), stored.channels(),
                    TheoryCheck.sum(runningVar) / runningVar.length, t.varianceRatio(), h.varianceRatio(),
                    h.maxChannelShift()));
        }
        return new Measured(new CellResult.Measurement(1 - heldOutAccuracy, 1 - trainAccuracy, rows), onTrain);
    }

    /** One eval-mode pass; appends each BN layer's input moments to {@code into}; returns the accuracy. */
    static double pass(Block block, BnProbes probes, NDManager manager, ImageSet set, int batchSize,
                               JobContext context, List<ChannelMoments> into) {
        EvalPass.Measured measured = EvalPass.measure(block, probes, manager, set, batchSize, false, context,
                "measurement");
        into.addAll(measured.moments());
        return measured.accuracy();
    }
}
