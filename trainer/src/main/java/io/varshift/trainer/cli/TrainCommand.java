package io.varshift.trainer.cli;

import io.varshift.core.spec.ModelSpec;
import io.varshift.trainer.TrainerConfig;
import io.varshift.trainer.jobs.InvalidRequestException;
import io.varshift.trainer.jobs.JobRequest;
import io.varshift.trainer.jobs.TrainRequest;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;


@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model on Fashion-MNIST or on your own labelled images (--data DIR) and write a new"
                + " artifact version with its reference and calibration.")
class TrainCommand extends JobCommand {

    @Inject
    TrainerConfig config;

    @Option(names = "--model", required = true, description = "model name in the store")
    String model;

    @Option(names = "--architecture", defaultValue = "convnet", description = "convnet | preresnet | resnet | mobilenet (models.md)")
    String architecture;

    @Option(names = "--width", defaultValue = "16", description = "base channel count")
    int width;

    @Option(names = "--blocks", defaultValue = "2", description = "conv / residual blocks (resnet, mobilenet: stages)")
    int blocks;

    @Option(names = "--depth", defaultValue = "0", description = "resnet: 18 or 34 (blocks per stage of ResNet-18/34;"
            + " 0 = 18); 0 for the other families")
    int depth;

    @Option(names = "--dropout-placement", defaultValue = "none",
            description = "none | before-bn (paper's Dropout-(a)) | before-conv (Dropout-(b)) | after-bn")
    String placement;

    @Option(names = "--dropout-kind", defaultValue = "bernoulli", description = "bernoulli | uout")
    String kind;

    @Option(names = "--drop-ratio", defaultValue = "0",
            description = "probability of DROPPING a unit (the paper's retain ratio p is 1 - this)")
    double dropRatio;

    @Option(names = "--uout-beta", defaultValue = "0", description = "Uout noise r ~ U(-beta, beta)")
    double uoutBeta;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Option(names = "--epochs", defaultValue = "1")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "128")
    int batchSize;

    @Option(names = "--limit", defaultValue = "0", description = "training samples to use (0 = all)")
    int limit;

    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Option(names = "--held-out", description = "Fashion-MNIST: held-out samples, the first N of the test split, for"
            + " accuracy and calibration; the rest stay unseen for evaluate-alarms (default 5000; 0 = all 10000)")
    Integer heldOut;

    @Option(names = "--validation", defaultValue = "0", description = "training images held back from training (the "
            + "last N of the training split) and added to the calibration; a larger baseline keeps windows of 1000 "
            + "near the promised rate (default ${DEFAULT-VALUE})")
    int validation;

    @Mixin
    CalibrationOptions calibrationOptions = new CalibrationOptions();

    @Override
    JobRequest request() {
        TrainerConfig.Calibration calibration = config.calibration();
        return new TrainRequest(model,
                TrainRequest.spec(architecture, width, blocks, depth, placement, kind, dropRatio, uoutBeta, seed,
                        dataOptions.data != null),
                epochs, batchSize, limit, heldOut(), validation,
                calibrationOptions.windowSizes(calibration), calibrationOptions.falseAlarmRate(calibration),
                calibrationOptions.replicates(calibration), dataOptions.userData(), normalization());
    }

    private int heldOut() {
        if (dataOptions.data != null && heldOut != null) {
            throw new InvalidRequestException("heldOut", "--held-out counts Fashion-MNIST test images; with --data"
                    + " hold out a share with --held-out-fraction");
        }
        return heldOut == null ? DEFAULT_HELD_OUT : heldOut;
    }

    @Option(names = "--input-mean", split = ",", description = "per-channel means the model subtracts from its input"
            + " first, e.g. 0.485,0.456,0.406 (with --input-std; default: none, inputs used in [0, 1])")
    List<Double> inputMean;

    @Option(names = "--input-std", split = ",", description = "per-channel standard deviations the model divides its"
            + " input by after --input-mean, e.g. 0.229,0.224,0.225")
    List<Double> inputStd;

    private ModelSpec.Normalization normalization() {
        if ((inputMean == null) != (inputStd == null)) {
            throw new InvalidRequestException("normalization", "give both --input-mean and --input-std (one value per"
                    + " input channel), or neither");
        }
        return inputMean == null ? null : new ModelSpec.Normalization(inputMean, inputStd);
    }

    /** Fashion-MNIST test images held out when --held-out is not given. */
    static final int DEFAULT_HELD_OUT = 5000;
}
