package io.varshift.trainer.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.data.ImageFolderDataset;
import io.varshift.core.data.ImageSet;
import io.varshift.core.data.LabelledData;
import io.varshift.core.data.LabelledNpyDataset;
import io.varshift.core.json.Json;
import io.varshift.core.json.JsonFields;
import io.varshift.core.spec.ModelSpec;
import io.varshift.trainer.jobs.UserData;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The images a model learns from (train) and the clean images it is measured and calibrated on
 * (held out), from Fashion-MNIST or from a user's folder. A user's images are dealt by a seeded
 * permutation (or held out as a second folder), so the model's seed and what model.json records deal
 * the same parts again for report and Adjust BN.
 *
 * @param description what model.json records under {@code training.data} (absent for Fashion-MNIST)
 */
public record TrainingData(ImageSet train, ImageSet heldOut, List<String> classes, ObjectNode description) {

    /** Most images a user's data set may hold (a memory cap: they are read into memory). */
    public static final int MAX_USER_SAMPLES = 2_000_000;

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
     * Reads and deals a user's images: by the seeded fraction, or, with a held-out folder, all of
     * {@code path} to train on and all of the held-out folder to hold out.
     *
     * @throws IllegalArgumentException naming the folder and the fix when it cannot be read, holds too
     *     few images for both parts, its classes differ from the held-out folder's, or shape options are
     *     given for NPY data
     */
    public static TrainingData user(UserData data, long seed) {
        Read all = read(Path.of(data.path()), data.channels(), data.height(), data.width());
        int n = all.data().images().size();
        ImageSet held;
        ImageSet train;
        if (data.heldOutPath() != null) {
            Path heldOutDir = Path.of(data.heldOutPath());
            // NPY arrays keep their own shape (compared below); folder images are converted to the training shape.
            Read heldOut = Files.isRegularFile(heldOutDir.resolve(NPY_IMAGES)) ? read(heldOutDir, 0, 0, 0)
                    : read(heldOutDir, all.shape()[0], all.shape()[1], all.shape()[2]);
            if (!heldOut.data().classes().equals(all.data().classes())) {
                throw new IllegalArgumentException("held-out data " + data.heldOutPath() + " has the classes "
                        + heldOut.data().classes() + " but " + data.path() + " has " + all.data().classes()
                        + "; both folders need the same classes");
            }
            if (!Arrays.equals(heldOut.data().images().sampleShape(), all.data().images().sampleShape())) {
                throw new IllegalArgumentException("held-out data " + data.heldOutPath() + " holds samples of shape "
                        + Arrays.toString(heldOut.data().images().sampleShape()) + " but " + data.path() + " of "
                        + Arrays.toString(all.data().images().sampleShape()) + "; both need the same shape");
            }
            train = all.data().images();
            held = heldOut.data().images();
        } else {
            int heldOut = (int) Math.round(n * data.heldOutFraction());
            if (heldOut < 1 || heldOut >= n) {
                throw new IllegalArgumentException("data " + data.path() + ": " + n + " images with a held-out fraction"
                        + " of " + data.heldOutFraction() + " leave " + heldOut + " held out and " + (n - heldOut)
                        + " to train on; both parts need images: add images or change the fraction");
            }
            int[] order = TrainingService.permutation(n, new Random(seed));
            held = all.data().images().select(Arrays.copyOfRange(order, 0, heldOut));
            train = all.data().images().select(Arrays.copyOfRange(order, heldOut, n));
        }
        ObjectNode d = Json.object();
        d.put("kind", all.kind());
        d.put("path", data.path());
        d.put("source", all.data().source());
        d.put("samples", n);
        d.put("classes", all.data().classes().size());
        if (data.heldOutPath() != null) {
            d.put("heldOutPath", data.heldOutPath());
            d.put("heldOutSamples", held.size());
        } else {
            d.put("heldOutFraction", data.heldOutFraction());
        }
        d.put("seed", seed);
        d.put("channels", all.shape()[0]);
        d.put("height", all.shape()[1]);
        d.put("width", all.shape()[2]);
        return new TrainingData(train, held, all.data().classes(), d);
    }

    /** One folder read: its images, its layout ({@code npy} or {@code image-folder}) and the shape used. */
    private record Read(LabelledData data, String kind, int[] shape) {
    }

    /** Reads an NPY pair as it is, or a class folder converted to the given shape (0 = the first image's). */
    private static Read read(Path dir, int channels, int height, int width) {
        if (Files.isRegularFile(dir.resolve(NPY_IMAGES))) {
            LabelledData all = LabelledNpyDataset.load(dir, MAX_USER_SAMPLES);
            int[] shape = Arrays.stream(all.images().sampleShape()).mapToInt(Math::toIntExact).toArray();
            boolean converted = (channels != 0 && channels != shape[0]) || (height != 0 && height != shape[1])
                    || (width != 0 && width != shape[2]);
            if (converted) {
                throw new IllegalArgumentException("data " + dir + " holds " + NPY_IMAGES + ", whose samples keep their"
                        + " own shape " + Arrays.toString(shape) + "; drop the channel and size options (--channels,"
                        + " --image-size; REST data.channels, height, width: they convert folder images) or give"
                        + " arrays of the shape wanted");
            }
            return new Read(all, "npy", shape);
        }
        int[] first = ImageFolderDataset.firstImageShape(dir);
        int[] shape = {channels == 0 ? first[0] : channels, height == 0 ? first[1] : height,
                width == 0 ? first[2] : width};
        return new Read(ImageFolderDataset.load(dir, shape[0], shape[1], shape[2], MAX_USER_SAMPLES),
                "image-folder", shape);
    }

    /**
     * The same parts a model was trained and calibrated on: Fashion-MNIST's splits, or the user's images
     * dealt again from what model.json recorded.
     *
     * @throws IllegalArgumentException when the recorded data cannot be read any more or no longer fit the model
     */
    public static TrainingData forModel(ModelArtifact artifact, Path fashionMnistDir) {
        JsonNode training = artifact.modelJson().get("training");
        JsonNode recorded = training != null && training.isObject() ? training.get("data") : null;
        if (recorded == null || !recorded.isObject()) {
            return fashionMnist(fashionMnistDir);
        }
        ObjectNode d = (ObjectNode) recorded;
        String name = "model '" + artifact.name() + "' v" + artifact.version();
        UserData data;
        try {
            JsonFields f = new JsonFields("training.data", d);
            boolean npy = "npy".equals(f.string("kind"));
            String heldOutPath = d.has("heldOutPath") ? f.string("heldOutPath") : null;
            data = new UserData(f.string("path"), heldOutPath != null ? UserData.DEFAULT_HELD_OUT_FRACTION
                    : f.number("heldOutFraction"), npy ? 0 : f.integer("channels"),
                    npy ? 0 : f.integer("height"), npy ? 0 : f.integer("width"), heldOutPath);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(name + ": model.json training.data " + Json.compact(d)
                    + " is incomplete (" + e.getMessage() + "); retrain the model with this trainer", e);
        }
        long seed;
        int samples;
        try {
            JsonFields f = new JsonFields("training.data", d);
            seed = f.longValue("seed");
            samples = f.integer("samples");
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(name + ": model.json training.data " + Json.compact(d)
                    + " has no seed or samples; retrain the model with this trainer", e);
        }
        TrainingData again = user(data, seed);
        ModelSpec spec = ModelSpec.fromJson(artifact.modelJson());
        long[] expected = spec.inputShape();
        boolean heldOutSame = !d.has("heldOutSamples")
                || again.heldOut().size() == d.get("heldOutSamples").asInt();
        if (!Arrays.equals(again.inputShape(), expected) || !again.classes().equals(spec.classes())
                || again.description().get("samples").asInt() != samples || !heldOutSame) {
            throw new IllegalArgumentException(name + " was trained on " + samples + " images of shape "
                    + Arrays.toString(expected) + " in the classes " + spec.classes() + " from " + data.path()
                    + (d.has("heldOutSamples") ? " (" + d.get("heldOutSamples") + " held out from "
                    + data.heldOutPath() + ")" : "") + "; the folders now hold " + again.description().get("samples")
                    + " of " + Arrays.toString(again.inputShape()) + " in " + again.classes()
                    + (d.has("heldOutSamples") ? " (" + again.heldOut().size() + " held out)" : "")
                    + ", so the training and held-out parts cannot be dealt again; restore the data or retrain");
        }
        return again;
    }
}
