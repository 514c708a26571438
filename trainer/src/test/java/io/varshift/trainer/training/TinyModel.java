package io.varshift.trainer.training;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.json.Json;
import io.varshift.core.spec.ModelSpec;
import io.varshift.trainer.jobs.TrainRequest;
import io.varshift.trainer.progress.JobContext;

import java.util.List;
import java.util.function.Consumer;

/**
 * A width-8 ConvNet trained in seconds on 2000 Fashion-MNIST images, calibrated for windows of 64,
 * stored as model "tiny": the offline evaluations' tests run on it.
 */
public final class TinyModel {

    public static final String NAME = "tiny";

    private TinyModel() {
    }

    public static ModelSpec spec() {
        return TrainRequest.spec("convnet", 8, 2, "none", "bernoulli", 0, 0, 3);
    }

    /**
     * @param heldOut test images that calibrate (the rest stay unseen)
     * @param validation training images held back and added to the calibration
     * @param alsoWith called with the trained model before it is closed, e.g. to store another version
     * @return the stored version
     */
    public static ModelArtifact train(ModelStore models, int heldOut, int validation,
            Consumer<TrainingService.Trained> alsoWith) {
        TrainRequest request = new TrainRequest(NAME, spec(), 1, 64, 2000, heldOut, validation, List.of(64), 1e-3, 400);
        try (TrainingService.Trained trained = new TrainingService(FashionMnist.DEFAULT_DIR,
                new TrainingMetrics(new SimpleMeterRegistry())).train(request.plan(), JobContext.silent())) {
            ObjectNode sections = Json.object();
            sections.set("training", trained.summary());
            int version = ArtifactWriter.write(models, NAME, trained.spec(), trained.model().getBlock(),
                    trained.reference().reference(), sections);
            alsoWith.accept(trained);
            return models.load(NAME, version);
        }
    }
}
