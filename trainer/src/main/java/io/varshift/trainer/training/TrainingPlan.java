package io.varshift.trainer.training;

import io.varshift.core.spec.ModelSpec;
import io.varshift.trainer.jobs.UserData;

import java.util.List;

/**
 * What {@link TrainingService} trains: the job layer builds one from a validated request, the
 * experiment from its sweep settings.
 *
 * @param spec the architecture and its options; with user data, its input shape and classes are
 *        replaced by the data's
 * @param limit training samples to use (0 = all)
 * @param heldOut Fashion-MNIST only: held-out samples (the first of the test split) for accuracy and
 *        calibration (0 = all 10 000)
 * @param validation Fashion-MNIST only: training images held back from training (the last of the training
 *        split) and added to the calibration
 * @param windowSizes agent window sizes to calibrate the null for
 * @param data the user's images, or null for Fashion-MNIST
 * @param normalization per-channel input normalisation the model applies first, or null for none
 */
public record TrainingPlan(String model, ModelSpec spec, int epochs, int batchSize, int limit, int heldOut,
                           int validation, List<Integer> windowSizes, double falseAlarmRate, int replicates,
                           UserData data, ModelSpec.Normalization normalization) {

    public TrainingPlan {
        windowSizes = List.copyOf(windowSizes);
    }
}
