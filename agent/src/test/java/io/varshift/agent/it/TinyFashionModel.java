package io.varshift.agent.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.varshift.core.artifact.ArtifactContents;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.calibration.ModelCalibration;
import io.varshift.core.calibration.ModelCalibrator;
import io.varshift.core.calibration.SampleContributions;
import io.varshift.core.data.BatchFeeder;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.data.ImageSet;
import io.varshift.core.json.Json;
import io.varshift.core.model.ModelBlocks;
import io.varshift.core.model.ModelLoader;
import io.varshift.core.probe.BnMomentsCollector;
import io.varshift.core.probe.BnProbes;
import io.varshift.core.reference.LayerReference;
import io.varshift.core.reference.ModelReference;
import io.varshift.core.spec.ModelSpec;

/**
 * A small ConvNet trained for a few hundred steps on a Fashion-MNIST subset, its BN reference taken
 * from the trained running statistics and calibrated on held-out test images: a real model artifact
 * for the agent's tests, written to a model store as the trainer would.
 */
public final class TinyFashionModel {

    /** Test images [0, CALIBRATION) calibrate the model; traffic uses the rest. */
    public static final int CALIBRATION = 2000;

    private final ModelSpec spec;
    private final byte[] params;
    private final ModelReference reference;

    private TinyFashionModel(ModelSpec spec, byte[] params, ModelReference reference) {
        this.spec = spec;
        this.params = params;
        this.reference = reference;
    }

    /** Test JVM-wide cache (a system property, so Quarkus' and JUnit's class loaders share it). */
    private static final String CACHE = "varshift.test.tiny-model";
    public static final int WINDOW = 200;

    /** The model trained once per test JVM: window 200, false-alarm rate 1e-4 per layer and window. */
    public static synchronized TinyFashionModel shared() {
        try {
            String cached = System.getProperty(CACHE);
            if (cached != null) {
                Path dir = Path.of(cached);
                return new TinyFashionModel(
                        ModelSpec.fromJson(Json.parseObject(Files.readString(dir.resolve("model.json")))),
                        Files.readAllBytes(dir.resolve(ModelLoader.PARAMS_FILE)),
                        ModelReference.fromJson(Json.parseObject(Files.readString(dir.resolve("reference.json")))));
            }
            TinyFashionModel model = train(150, WINDOW, 1e-4);
            Path dir = Files.createTempDirectory("varshift-tiny-model-");
            Files.writeString(dir.resolve("model.json"), Json.compact(model.spec.toJson()));
            Files.writeString(dir.resolve("reference.json"), Json.compact(model.reference.toJson()));
            Files.write(dir.resolve(ModelLoader.PARAMS_FILE), model.params);
            System.setProperty(CACHE, dir.toString());
            return model;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param steps training steps of batch 64
     * @param windowSize the agent's window size to calibrate for
     */
    public static TinyFashionModel train(int steps, int windowSize, double falseAlarmRate) {
        Engine.getInstance().setRandomSeed(7);
        ModelSpec spec = ModelSpec.fashionMnist(ModelSpec.Architecture.CONVNET).optWidth(4).optBlocks(2).optSeed(7)
                .build();
        FashionMnist data = FashionMnist.installed();
        ImageSet train = data.train();
        ImageSet test = data.test();
        Block block = ModelBlocks.build(spec);
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(block);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.003f)).build());
            BatchFeeder feeder = new BatchFeeder(256, spec.inputShape());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 1, 28, 28));
                int batch = 64;
                for (int step = 0; step < steps; step++) {
                    int from = (step * batch) % (train.size() - batch);
                    try (NDManager m = model.getNDManager().newSubManager();
                         GradientCollector gc = trainer.newGradientCollector()) {
                        NDArray x = feeder.images(m, train, from, from + batch);
                        NDArray y = feeder.labels(m, train, from, from + batch);
                        NDArray out = trainer.forward(new NDList(x)).singletonOrThrow();
                        NDArray loss = trainer.getLoss().evaluate(new NDList(y), new NDList(out));
                        gc.backward(loss);
                    }
                    trainer.step();
                }
            }
            BnProbes probes = BnProbes.attach(block);
            ModelReference stored = ModelLoader.reference(probes);
            BnMomentsCollector clean = BnMomentsCollector.attach(probes, true);
            int[] predicted = new int[CALIBRATION];
            int[] labels = new int[CALIBRATION];
            for (int from = 0; from < CALIBRATION; from += 250) {
                try (NDManager m = model.getNDManager().newSubManager()) {
                    NDArray x = feeder.images(m, test, from, from + 250);
                    long[] classes = block.forward(new ParameterStore(m, false), new NDList(x), false)
                            .singletonOrThrow().argMax(1).toLongArray();
                    for (int i = 0; i < classes.length; i++) {
                        predicted[from + i] = (int) classes[i];
                        labels[from + i] = test.label(from + i);
                    }
                }
            }
            probes.setListener(null);
            List<SampleContributions> sums = new ArrayList<>();
            for (int i = 0; i < stored.layers().size(); i++) {
                sums.add(clean.sampleContributions(i));
            }
            ModelCalibrator.HeldOut heldOut = new ModelCalibrator.HeldOut(probes.layerNames(), sums, predicted, labels,
                    spec.classes().size());
            ModelCalibration calibration = new ModelCalibrator(1000, 11).calibrate(heldOut, List.of(windowSize),
                    falseAlarmRate);
            return new TinyFashionModel(spec, ModelLoader.saveParams(block), stored.withCalibration(calibration));
        }
    }

    /** Writes the model as the next version of {@code name}; returns the version. */
    public int writeTo(Path storeRoot, String name) {
        return new ModelStore(storeRoot).write(name, ArtifactContents.builder()
                .setModelJson(spec.toJson())
                .setReferenceJson(reference.toJson())
                .addParams(ModelLoader.PARAMS_FILE, params)
                .build());
    }

    public ModelSpec spec() {
        return spec;
    }

    public List<String> layers() {
        return reference.layers().stream().map(LayerReference::name).toList();
    }

    /** One test image as floats in [0, 1]. */
    public static float[] image(ImageSet set, int i) {
        FloatBuffer out = FloatBuffer.allocate(set.sampleSize());
        set.copySample(i, out);
        return out.array();
    }
}
