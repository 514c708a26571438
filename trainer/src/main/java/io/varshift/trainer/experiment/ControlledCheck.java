package io.varshift.trainer.experiment;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import io.varshift.core.data.BatchFeeder;
import io.varshift.core.data.ImageSet;
import io.varshift.core.model.BnReestimator;
import io.varshift.core.model.ModelBlocks;
import io.varshift.core.probe.BnProbes;
import io.varshift.core.spec.ModelSpec;
import io.varshift.trainer.progress.JobContext;
import io.varshift.trainer.report.ShiftMeasurement;
import io.varshift.trainer.training.ReferenceBuilder;
import io.varshift.trainer.training.TrainingService;

import java.util.ArrayList;
import java.util.List;

/**
 * The theory check with everything but the dropout held fixed: an untrained model (seeded Xavier
 * weights that never change) estimates its BN running statistics in TRAINING mode (dropout on), as
 * training does, then the real variance is measured in eval mode on the same images. With the
 * weights frozen, the moving variance is exactly the training-mode variance the theory predicts, so
 * measured and theoretical Δ must agree at the FIRST dropout site. Deeper sites see, in eval mode,
 * inputs already scaled by the shifted BNs above them (the shift accumulates), so there the measured
 * Δ falls below the single-layer theory. In a trained model the weights also move while the moving
 * average accumulates.
 */
final class ControlledCheck {

    private ControlledCheck() {
    }

    /**
     * @param images  the images both phases use
     * @param batches training-mode forwards (BN momentum 0.9: after 50 batches the start value weighs
     *                0.9⁵⁰ ≈ 0.5 %)
     */
    static List<CellResult.TheoryRow> run(ModelSpec spec, ImageSet images, int batches, int batchSize) {
        Engine.getInstance().setRandomSeed((int) spec.seed());
        try (Model model = Model.newInstance("controlled", TrainingService.device())) {
            Block block = ModelBlocks.build(spec);
            model.setBlock(block);
            NDManager manager = model.getNDManager();
            block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
            long[] shape = new long[4];
            shape[0] = batchSize;
            System.arraycopy(spec.inputShape(), 0, shape, 1, 3);
            block.initialize(manager, DataType.FLOAT32, new Shape(shape));
            // Warm start: the moving averages begin at the eval-mode statistics instead of (0, 1), so the
            // start value's weight 0.9^batches is 0.9^batches of a small gap, not of the initial 1.
            BnReestimator.reestimate(block, images, batchSize, manager);
            ParameterStore store = new ParameterStore(manager, false);
            BatchFeeder feeder = new BatchFeeder(batchSize, images.sampleShape());
            int from = 0;
            for (int b = 0; b < batches; b++) {
                if (from + batchSize > images.size()) {
                    from = 0;
                }
                try (NDManager batch = manager.newSubManager()) {
                    block.forward(store, new NDList(feeder.images(batch, images, from,
                            Math.min(images.size(), from + batchSize))), true);
                }
                from += batchSize;
            }
            BnProbes probes = BnProbes.attach(block);
            ShiftMeasurement.Measured measured = ShiftMeasurement.measure(spec, block, probes,
                    ReferenceBuilder.runningStatistics(probes), true, manager, images, images, batchSize,
                    JobContext.silent());
            List<CellResult.TheoryRow> rows = new ArrayList<>(TheoryCheck.beforeBn(measured));
            rows.addAll(TheoryCheck.beforeConv(spec, block, probes, manager, images, batchSize));
            return rows;
        }
    }
}
