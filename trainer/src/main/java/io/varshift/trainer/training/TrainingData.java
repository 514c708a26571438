package io.varshift.trainer.training;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.data.ImageFolderDataset;
import io.varshift.core.data.ImageSet;
import io.varshift.core.data.LabelledData;
import io.varshift.core.data.LabelledNpyDataset;
import io.varshift.core.spec.ModelSpec;
import io.varshift.trainer.jobs.TrainRequest;
import io.varshift.trainer.jobs.UserData;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The images a model learns from (train) and the clean images it is measured and calibrated on
 * (held out), from Fashion-MNIST or from a user's folder. A user's images are dealt by a seeded
 * permutation, so the model's seed and the held-out fraction recorded in model.json deal the same
 * parts again for report and Adjust BN.
 *
 * @param description what model.json records under {@code training.data} (absent for Fashion-MNIST)
 */
public record TrainingData(ImageSet train, ImageSet heldOut, List<String> classes, JsonObject description) {

    /** A user's folder holds {@code images.npy} + {@code labels.npy}, or else one sub-folder per class. */
    static final String NPY_IMAGES = "images.npy";

    /** The sample shape, e.g. [3, 32, 32]. */
    public long[] inputShape() {
        return train.sampleShape();
    }

    /** Whether these are Fashion-MNIST's splits (model.json then has no {@code training.data}). */
    public boolean isFashionMnist() {
        return description == null;
    }

    /** Fashion-MNIST's training split and its test split as the held-out part. */
    public static TrainingData fashionMnist(Path dataDir) {
        FashionMnist data = FashionMnist.in(dataDir);
        return new TrainingData(data.train(), data.test(), ModelSpec.FASHION_MNIST_CLASSES, null);
    }

    /**
     * Reads and deals a user's images.
     *
     * @throws IllegalArgumentException naming the folder and the fix when it cannot be read, holds too
     *     few images for both parts, or shape options are given for NPY data
     */
    public static TrainingData user(UserData data, long seed) {
        Path dir = Path.of(data.path());
        LabelledData all;
        String kind;
        int[] shape;
        if (Files.isRegularFile(dir.resolve(NPY_IMAGES))) {
            if (data.channels() != 0 || data.height() != 0) {
                throw new IllegalArgumentException("data " + dir + " holds " + NPY_IMAGES + ", whose samples keep their"
                        + " own shape; drop --channels and --image-size (they convert folder images)");
            }
            all = LabelledNpyDataset.load(dir, TrainRequest.MAX_USER_SAMPLES);
            kind = "npy";
            shape = Arrays.stream(all.images().sampleShape()).mapToInt(Math::toIntExact).toArray();
        } else {
            int[] first = ImageFolderDataset.firstImageShape(dir);
            shape = new int[] {data.channels() == 0 ? first[0] : data.channels(),
                    data.height() == 0 ? first[1] : data.height(), data.width() == 0 ? first[2] : data.width()};
            all = ImageFolderDataset.load(dir, shape[0], shape[1], shape[2], TrainRequest.MAX_USER_SAMPLES);
            kind = "image-folder";
        }
        int n = all.images().size();
        int heldOut = (int) Math.round(n * data.heldOutFraction());
        if (heldOut < 1 || heldOut >= n) {
            throw new IllegalArgumentException("data " + dir + ": " + n + " images with a held-out fraction of "
                    + data.heldOutFraction() + " leave " + heldOut + " held out and " + (n - heldOut) + " to train on;"
                    + " both parts need images: add images or change the fraction");
        }
        int[] order = TrainingService.permutation(n, new Random(seed));
        ImageSet held = all.images().select(Arrays.copyOfRange(order, 0, heldOut));
        ImageSet train = all.images().select(Arrays.copyOfRange(order, heldOut, n));
        JsonObject d = new JsonObject();
        d.addProperty("kind", kind);
        d.addProperty("path", data.path());
        d.addProperty("source", all.source());
        d.addProperty("samples", n);
        d.addProperty("classes", all.classes().size());
        d.addProperty("heldOutFraction", data.heldOutFraction());
        d.addProperty("seed", seed);
        d.addProperty("channels", shape[0]);
        d.addProperty("height", shape[1]);
        d.addProperty("width", shape[2]);
        return new TrainingData(train, held, all.classes(), d);
    }

    /**
     * The same parts a model was trained and calibrated on: Fashion-MNIST's splits, or the user's images
     * dealt again from what model.json recorded.
     *
     * @throws IllegalArgumentException when the recorded data cannot be read any more or no longer fit the model
     */
    public static TrainingData forModel(ModelArtifact artifact, Path fashionMnistDir) {
        JsonElement training = artifact.modelJson().get("training");
        JsonElement recorded = training != null && training.isJsonObject()
                ? training.getAsJsonObject().get("data") : null;
        if (recorded == null || !recorded.isJsonObject()) {
            return fashionMnist(fashionMnistDir);
        }
        JsonObject d = recorded.getAsJsonObject();
        String name = "model '" + artifact.name() + "' v" + artifact.version();
        UserData data;
        try {
            boolean npy = "npy".equals(d.get("kind").getAsString());
            data = new UserData(d.get("path").getAsString(), d.get("heldOutFraction").getAsDouble(),
                    npy ? 0 : d.get("channels").getAsInt(), npy ? 0 : d.get("height").getAsInt(),
                    npy ? 0 : d.get("width").getAsInt());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(name + ": model.json training.data " + d + " is incomplete ("
                    + e.getMessage() + "); retrain the model with this trainer", e);
        }
        TrainingData again = user(data, d.get("seed").getAsLong());
        ModelSpec spec = ModelSpec.fromJson(artifact.modelJson());
        long[] expected = spec.inputShape();
        if (!Arrays.equals(again.inputShape(), expected) || again.classes().size() != spec.classes().size()
                || again.description().get("samples").getAsInt() != d.get("samples").getAsInt()) {
            throw new IllegalArgumentException(name + " was trained on " + d.get("samples") + " images of shape "
                    + Arrays.toString(expected) + " in " + spec.classes().size() + " classes from "
                    + data.path() + "; that folder now holds " + again.description().get("samples") + " of "
                    + Arrays.toString(again.inputShape()) + " in " + again.classes().size()
                    + ", so the training and held-out parts cannot be dealt again; restore the data or retrain");
        }
        return again;
    }
}
