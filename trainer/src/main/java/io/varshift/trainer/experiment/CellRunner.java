package io.varshift.trainer.experiment;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.data.ImageSet;
import io.varshift.core.model.BnReestimator;
import io.varshift.core.probe.BnProbes;
import io.varshift.core.spec.ModelSpec;
import io.varshift.trainer.progress.JobContext;
import io.varshift.trainer.report.ShiftMeasurement;
import io.varshift.trainer.training.ReferenceBuilder;
import io.varshift.trainer.training.TrainingPlan;
import io.varshift.trainer.training.TrainingService;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains one cell with the {@link TrainingService}, measures its variance shift and held-out error,
 * checks the theory, applies Adjust BN on the measured training samples and measures again.
 */
final class CellRunner {

    /** The training service also calibrates an agent null; the experiment does not use it, so keep it tiny. */
    private static final int CALIBRATION_WINDOW = 32;
    private static final int CALIBRATION_REPLICATES = 200;

    private final ExperimentConfig config;
    private final TrainingService training;
    private final ImageSet measureSet;
    private final ImageSet heldOutSet;

    CellRunner(ExperimentConfig config, TrainingService training, Path dataDir) {
        this.config = config;
        this.training = training;
        FashionMnist data = FashionMnist.in(dataDir);
        this.measureSet = TrainingService.limit(data.train(), config.measureSamples());
        this.heldOutSet = TrainingService.limit(data.test(), config.heldOutSamples());
    }

    ImageSet measureSet() {
        return measureSet;
    }

    CellResult run(Cell cell, JobContext context) {
        long started = System.nanoTime();
        ModelSpec spec = cell.spec(config);
        TrainingPlan plan = new TrainingPlan("experiment", spec, config.epochs(), config.batchSize(),
                config.trainSamples(), CALIBRATION_WINDOW, 0, List.of(CALIBRATION_WINDOW), 0.01, CALIBRATION_REPLICATES,
                null, null);
        try (TrainingService.Trained trained = training.train(plan, context)) {
            Block block = trained.model().getBlock();
            NDManager manager = trained.model().getNDManager();
            BnProbes probes = BnProbes.attach(block);
            int batch = Math.max(config.batchSize(), 256);
            ShiftMeasurement.Measured before = measure(spec, block, probes, manager, batch, true, context);
            List<CellResult.TheoryRow> theory = new ArrayList<>(TheoryCheck.beforeBn(before));
            theory.addAll(TheoryCheck.beforeConv(spec, block, probes, manager, measureSet, batch));
            context.checkCancelled();
            BnReestimator.reestimate(block, measureSet, batch, manager, layer -> context.checkCancelled());
            ShiftMeasurement.Measured after = measure(spec, block, probes, manager, batch, false, context);
            double trainAccuracy = trained.summary().get("trainAccuracy").asDouble();
            return new CellResult(cell, trainAccuracy, (System.nanoTime() - started) / 1e9,
                    CellResult.Measurement.of(before), CellResult.Measurement.of(after), theory);
        }
    }

    /** The measurement against the block's current moving statistics; the theory only for those training left. */
    private ShiftMeasurement.Measured measure(ModelSpec spec, Block block, BnProbes probes, NDManager manager,
                                              int batch, boolean withTheory, JobContext context) {
        return ShiftMeasurement.measure(spec, block, probes, ReferenceBuilder.runningStatistics(probes),
                withTheory, manager, measureSet, heldOutSet, batch, context);
    }
}
