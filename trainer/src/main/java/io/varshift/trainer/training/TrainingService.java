package io.varshift.trainer.training;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.data.BatchFeeder;
import io.varshift.core.data.ImageSet;
import io.varshift.core.json.Json;
import io.varshift.core.model.ModelBlocks;
import io.varshift.core.spec.ModelSpec;
import io.varshift.trainer.progress.JobContext;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

/**
 * Trains a spec on Fashion-MNIST or a user's labelled images ({@link TrainingData}; softmax
 * cross-entropy, Adam lr 1e-3), then measures held-out accuracy and builds the reference in one
 * eval-mode pass. GPU when the engine sees one, else CPU.
 */
public final class TrainingService {

    private static final Logger LOG = Logger.getLogger(TrainingService.class);
    static final float LEARNING_RATE = 1e-3f;

    private final Path dataDir;
    private final TrainingMetrics metrics;

    public TrainingService(Path dataDir, TrainingMetrics metrics) {
        this.dataDir = dataDir;
        this.metrics = metrics;
    }

    /**
     * A trained model in memory (the caller closes it), its spec (with user data, the data's input shape
     * and classes), its reference and the training summary.
     */
    public record Trained(Model model, ModelSpec spec, ReferenceBuilder.Result reference, ObjectNode summary)
            implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }

    /** The device jobs run on: the first GPU when the engine has one, else the CPU. */
    public static Device device() {
        return Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }

    public Trained train(TrainingPlan plan, JobContext context) {
        ModelSpec spec = plan.spec();
        ImageSet train;
        ImageSet heldOut;
        ImageSet testHeldOut;
        ObjectNode dataDescription = null;
        if (plan.data() == null) {
            TrainingData data = TrainingData.fashionMnist(dataDir);
            ImageSet allTrain = data.train();
            int trainEnd = allTrain.size() - plan.validation();
            train = limit(allTrain.slice(0, trainEnd), plan.limit());
            testHeldOut = limit(data.heldOut(), plan.heldOut());
            // The calibration's clean samples: the first test images, then the training images held back.
            heldOut = plan.validation() == 0 ? testHeldOut
                    : ImageSet.concat(testHeldOut, allTrain.slice(trainEnd, allTrain.size()));
        } else {
            TrainingData data = TrainingData.user(plan.data(), spec.seed());
            spec = spec.toBuilder().setInputShape(data.inputShape()).setClasses(data.classes()).build();
            train = limit(data.train(), plan.limit());
            heldOut = data.heldOut();
            testHeldOut = heldOut;
            dataDescription = data.description();
            LOG.infof("%s: %s", plan.model(), dataDescription.get("source").asText());
        }
        if (plan.normalization() != null) {
            spec = spec.toBuilder().optNormalization(plan.normalization()).build();
        }
        ReferenceBuilder.requireOneWindow(heldOut.size(), plan.windowSizes());
        Device device = device();
        LOG.infof("training %s on %s (%s): %d training samples, %d held-out (%d test, %d validation), %d epoch(s),"
                + " batch %d", plan.model(), device, Engine.getInstance().getEngineName(), train.size(),
                heldOut.size(), testHeldOut.size(), plan.validation(), plan.epochs(), plan.batchSize());
        metrics.device(device.toString());
        // The engine seed fixes parameter initialisation and dropout masks; the shuffle has its own Random.
        Engine.getInstance().setRandomSeed((int) spec.seed());
        long started = System.nanoTime();
        Model model = Model.newInstance(plan.model(), device);
        try {
            model.setBlock(ModelBlocks.build(spec));
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(LEARNING_RATE)).build())
                    .optDevices(new Device[] {device});
            ObjectNode summary = Json.object();
            try (Trainer trainer = model.newTrainer(config)) {
                long[] inputShape = new long[spec.inputShape().length + 1];
                inputShape[0] = plan.batchSize();
                System.arraycopy(spec.inputShape(), 0, inputShape, 1, spec.inputShape().length);
                trainer.initialize(new Shape(inputShape));
                Random shuffle = new Random(spec.seed());
                double[] last = {Double.NaN, Double.NaN};
                for (int epoch = 1; epoch <= plan.epochs(); epoch++) {
                    last = epoch(trainer, train, plan, shuffle, epoch, context);
                    LOG.infof("%s epoch %d/%d: loss %.4f, training accuracy %.4f", plan.model(), epoch,
                            plan.epochs(), last[0], last[1]);
                    metrics.epoch(plan.model(), last[0], last[1]);
                }
                summary.put("trainLoss", last[0]);
                summary.put("trainAccuracy", last[1]);
            }
            Duration trainingTime = Duration.ofNanos(System.nanoTime() - started);
            ReferenceBuilder.Result reference = ReferenceBuilder.build(model.getBlock(), model.getNDManager(),
                    heldOut, spec.classes().size(), Math.max(plan.batchSize(), 256), new ReferenceBuilder.Calibration(
                            plan.windowSizes(), plan.falseAlarmRate(), plan.replicates(), spec.seed()),
                    context);
            LOG.infof("%s: held-out accuracy %.4f on %d samples after %s", plan.model(), reference.accuracy(),
                    heldOut.size(), trainingTime);
            summary.put("epochs", plan.epochs());
            summary.put("trainingSamples", train.size());
            // heldOutSamples counts test images only: evaluate-alarms takes the test images after them as unseen.
            summary.put("heldOutSamples", testHeldOut.size());
            if (dataDescription != null) {
                summary.set("data", dataDescription);
            }
            summary.put("validationSamples", plan.validation());
            summary.put("calibrationSamples", heldOut.size());
            summary.put("heldOutAccuracy", reference.accuracy());
            summary.put("batchSize", plan.batchSize());
            summary.put("learningRate", LEARNING_RATE);
            summary.put("device", device.toString());
            summary.put("durationSeconds", trainingTime.toMillis() / 1000.0);
            return new Trained(model, spec, reference, summary);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** One epoch in a seeded shuffled order; returns {mean loss, training accuracy}. */
    private double[] epoch(Trainer trainer, ImageSet train, TrainingPlan plan, Random shuffle, int epoch,
                           JobContext context) {
        int[] order = permutation(train.size(), shuffle);
        BatchFeeder feeder = new BatchFeeder(plan.batchSize(), train.sampleShape());
        double lossSum = 0;
        long correct = 0;
        String phase = "epoch " + epoch + "/" + plan.epochs();
        for (int from = 0; from < order.length; from += plan.batchSize()) {
            context.checkCancelled();
            int to = Math.min(order.length, from + plan.batchSize());
            try (NDManager batch = trainer.getManager().newSubManager()) {
                NDArray x = feeder.images(batch, train, order, from, to);
                NDArray y = feeder.labels(batch, train, order, from, to);
                try (GradientCollector collector = trainer.newGradientCollector()) {
                    NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
                    NDArray loss = trainer.getLoss().evaluate(new NDList(y), new NDList(logits));
                    collector.backward(loss);
                    lossSum += loss.getFloat() * (to - from);
                    correct += EvalPass.countCorrect(logits, y);
                }
                trainer.step();
            }
            context.progress((double) to / order.length, phase);
        }
        return new double[] {lossSum / order.length, (double) correct / order.length};
    }

    static int[] permutation(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** The first {@code limit} samples; 0 means all. */
    public static ImageSet limit(ImageSet set, int limit) {
        return limit == 0 || limit >= set.size() ? set : set.slice(0, limit);
    }
}
