package io.varshift.trainer.cli;

import io.varshift.trainer.TrainerConfig;
import io.varshift.trainer.jobs.ImportRequest;
import io.varshift.trainer.jobs.InvalidRequestException;
import io.varshift.trainer.jobs.JobRequest;
import io.varshift.trainer.jobs.TrainRequest;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;


@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Bring in a model trained elsewhere: load the weights varshift_export.py wrote into the spec's"
                + " block, check its outputs against the exporter's within 1e-4, measure the reference and calibration"
                + " on your held-out images, and write a new artifact version.")
class ImportCommand extends JobCommand {

    @Inject
    TrainerConfig config;

    @Option(names = "--model", required = true, description = "model name in the store")
    String model;

    @Option(names = "--weights", required = true, description = "the .npz archive the exporter wrote")
    String weights;

    @Option(names = "--architecture", defaultValue = "convnet", description = "the exported model's architecture:"
            + " convnet | preresnet | resnet | mobilenet")
    String architecture;

    @Option(names = "--width", defaultValue = "16", description = "the exported model's base channel count")
    int width;

    @Option(names = "--blocks", defaultValue = "2", description = "the exported model's blocks (stages)")
    int blocks;

    @Option(names = "--depth", defaultValue = "0", description = "the exported resnet's depth: 18 or 34 (0 = 18)")
    int depth;

    @Option(names = "--seed", defaultValue = "42", description = "seed of the training/held-out deal of --data")
    long seed;

    @Option(names = "--batch-size", defaultValue = "256", description = "samples per eval-mode forward")
    int batchSize;

    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Mixin
    CalibrationOptions calibrationOptions = new CalibrationOptions();

    @Override
    JobRequest request() {
        if (dataOptions.data == null) {
            throw new InvalidRequestException("data", "--data DIR is required: the labelled images to measure the"
                    + " imported model's reference and calibration on");
        }
        TrainerConfig.Calibration calibration = config.calibration();
        return new ImportRequest(model,
                TrainRequest.spec(architecture, width, blocks, depth, "none", "bernoulli", 0, 0, seed, true), weights, dataOptions.userData(), batchSize,
                calibrationOptions.windowSizes(calibration), calibrationOptions.falseAlarmRate(calibration),
                calibrationOptions.replicates(calibration));
    }
}
