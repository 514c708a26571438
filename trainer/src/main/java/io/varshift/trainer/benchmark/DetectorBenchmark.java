package io.varshift.trainer.benchmark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.alarm.Cusum;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.calibration.ModelCalibration;
import io.varshift.core.corruption.ShiftKind;
import io.varshift.core.corruption.ShiftedImages;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.data.ImageSet;
import io.varshift.core.json.Json;
import io.varshift.core.model.LoadedModel;
import io.varshift.core.model.ModelLoader;
import io.varshift.trainer.evaluate.BinomialInterval;
import io.varshift.trainer.evaluate.Detection;
import io.varshift.trainer.evaluate.EvaluationConfig;
import io.varshift.trainer.evaluate.HeldOutTestImages;
import io.varshift.trainer.progress.JobContext;
import io.varshift.trainer.report.AtomicFiles;
import io.varshift.trainer.training.EvalPass;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * {@code trainer benchmark-detectors}: Varshift's BN detector against the peers' detectors on the
 * corruption suite, on test images the model's calibration never saw.
 *
 * <ol>
 *   <li>The calibration images (the model's held-out test images and held-back training images) are
 *       every peer's reference; windows of them, each scored against the rest, set each peer's threshold
 *       at the per-window α (its (1 − α) quantile). Varshift keeps its stored calibration.</li>
 *   <li>Clean windows of unseen images measure every detector's false-alarm rate, calibrated and, where
 *       it has one, at its method's own p &lt; α.</li>
 *   <li>Per corruption and severity: the unseen images corrupted (one pass), trials of consecutive
 *       corrupted windows after clean warm-up windows for the CUSUM; per detector the share of trials
 *       detected within the trial and the median delay; and the accuracy after re-estimating the BN
 *       statistics on N unlabeled corrupted images.</li>
 * </ol>
 * Every window holds distinct images ({@link WindowDraw}).
 */
public final class DetectorBenchmark {

    public static final String JSON_FILE = "detectors.json";
    private static final Logger LOG = Logger.getLogger(DetectorBenchmark.class);
    private static final long GRID_SEED = 7;

    private final Path dataDir;

    public DetectorBenchmark(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** The default output folder: {@code run/benchmarks/<model>-v<version>}. */
    public static Path defaultOut(Path runDir, String model, int version) {
        return runDir.resolve("benchmarks").resolve(model + "-v" + version);
    }

    /**
     * @throws IllegalArgumentException when the model has no calibration for the window size, its
     *     held-out images are not recorded, or too few unseen images remain
     */
    public ObjectNode run(ModelArtifact artifact, BenchmarkConfig config, int batchSize, JobContext context) {
        String name = "model '" + artifact.name() + "' v" + artifact.version();
        Split split = Split.of(artifact, FashionMnist.in(dataDir), config.poolLimit(), name);
        try (LoadedModel model = ModelLoader.load(artifact); LoadedModel adapted = ModelLoader.load(artifact)) {
            ModelCalibration calibration = model.reference().calibration().orElseThrow(() ->
                    new IllegalArgumentException(name + " has no calibration in reference.json; retrain or recalibrate"
                            + " it with this trainer"));
            VarshiftDetector varshift = new VarshiftDetector(calibration, config.windowSize());
            NDArray projection = projection(model, split.calibration(), config);
            Pool reference = Pool.measure(model, split.calibration(), projection, batchSize, context,
                    "calibration images");
            List<BenchmarkDetector> peers = PeerDetectors.all(reference, config);
            List<BenchmarkDetector> detectors = new ArrayList<>();
            detectors.add(varshift);
            detectors.addAll(peers);
            Map<String, Double> thresholds = new LinkedHashMap<>();
            Timings timings = new Timings();
            SplittableRandom random = new SplittableRandom(config.seed());
            thresholds.put(varshift.name(), -Math.log10(config.alpha()));
            for (BenchmarkDetector peer : peers) {
                thresholds.put(peer.name(), threshold(peer, reference.size(), config, random, timings, context));
            }

            Pool clean = Pool.measure(model, split.unseen(), projection, batchSize, context, "unseen images");
            double plainSeconds = plainPass(model, split.unseen(), batchSize, context);
            ArrayNode detectorJson = Json.array();
            double[] cleanScores = cleanWindows(clean, detectors, varshift, thresholds, config, random, timings,
                    detectorJson, (PeerDetectors.Mmd) peers.stream().filter(p -> p instanceof PeerDetectors.Mmd)
                            .findFirst().orElseThrow(), context);
            varshift.forget(clean);
            for (JsonNode d : detectorJson) {
                LOG.infof("%s: clean false-alarm rate %.4f at alpha %s on %d unseen windows",
                        d.get("name").asText(), d.get("cleanRate").asDouble(),
                        config.alpha(), config.cleanWindows());
            }

            ArrayNode cells = Json.array();
            int total = config.shifts().size() * config.severities().size();
            int done = 0;
            for (ShiftKind shift : config.shifts()) {
                for (double severity : config.severities()) {
                    String phase = String.format(Locale.ROOT, "%s %.2f (%d/%d)", shift.cliName(), severity, ++done,
                            total);
                    ImageSet corrupted = ShiftedImages.of(split.unseen(), shift, severity,
                            new Random(config.seed() ^ shift.ordinal() * 977L ^ Double.doubleToLongBits(severity)));
                    Pool pool = Pool.measure(model, corrupted, projection, batchSize, context, phase);
                    ObjectNode cell = cells.addObject();
                    cell.put("shift", shift.cliName());
                    cell.put("severity", severity);
                    cell.put("accuracy", pool.accuracy());
                    cell.put("accuracyDropPoints", 100 * (clean.accuracy() - pool.accuracy()));
                    cell.set("detection", trials(pool, detectors, varshift, thresholds, cleanScores, config,
                            new SplittableRandom(config.seed() ^ shift.ordinal() * 1_000_003L
                                    ^ Double.doubleToLongBits(severity)), timings));
                    varshift.forget(pool);
                    cell.set("recovery", Recovery.measure(adapted, corrupted, pool.accuracy(), config, batchSize,
                            context, phase + " recovery", new Random(config.seed() ^ shift.ordinal() * 31L
                                    ^ Double.doubleToLongBits(severity))));
                }
            }
            for (JsonNode d : detectorJson) {
                ((ObjectNode) d).put("msPerWindow", timings.msPerWindow(d.get("name").asText()));
            }
            ObjectNode out = Json.object();
            out.put("model", artifact.name());
            out.put("version", artifact.version());
            out.set("config", config.toJson());
            out.set("split", split.toJson());
            ObjectNode unseen = out.putObject("unseen");
            unseen.put("samples", clean.size());
            unseen.put("accuracy", clean.accuracy());
            ObjectNode forward = out.putObject("forward");
            forward.put("plainMsPerWindow", 1000 * plainSeconds / clean.size() * config.windowSize());
            forward.put("measuredMsPerWindow", 1000 * clean.passSeconds / clean.size() * config.windowSize());
            out.set("detectors", detectorJson);
            out.set("cells", cells);
            return out;
        }
    }

    /** Writes the JSON atomically (a reader never sees half of it) and returns its path. */
    public static Path write(ObjectNode result, Path outDir) {
        Path target = outDir.resolve(JSON_FILE);
        AtomicFiles.writeJson(target, result, "detector benchmark");
        return target;
    }

    /** The suite on the first test image at the suite's severities, as a PNG. */
    public byte[] corruptionGrid() {
        return CorruptionGrid.png(FashionMnist.in(dataDir).test().slice(0, 1), List.of(ShiftKind.values()),
                ShiftKind.SUITE_SEVERITIES, GRID_SEED);
    }

    /**
     * The peer's (1 − α) quantile over windows of its reference rows, each scored against the rest
     * ({@link BenchmarkDetector#calibrationScore}): its rate there is α.
     */
    private static double threshold(BenchmarkDetector peer, int referenceRows, BenchmarkConfig config,
            SplittableRandom random, Timings timings, JobContext context) {
        int size = config.windowSize();
        int[] window = new int[size];
        double[] scores = new double[config.calibrationWindows()];
        WindowDraw draw = WindowDraw.all(referenceRows);
        for (int w = 0; w < scores.length; w++) {
            draw.draw(random, window);
            long started = System.nanoTime();
            scores[w] = peer.calibrationScore(window, size);
            timings.add(peer.name(), System.nanoTime() - started);
            if (w % 100 == 99) {
                context.checkCancelled();
                context.progress((w + 1.0) / scores.length, peer.name() + " threshold");
            }
        }
        Arrays.sort(scores);
        int over = (int) Math.round(config.alpha() * scores.length);
        return scores[scores.length - over - 1];
    }

    /**
     * Every detector on clean unseen windows; fills one JSON row per detector and returns Varshift's
     * CUSUM scores of those windows (the trials' warm-up draws from them).
     */
    private static double[] cleanWindows(Pool clean, List<BenchmarkDetector> detectors, VarshiftDetector varshift,
            Map<String, Double> thresholds, BenchmarkConfig config, SplittableRandom random, Timings timings,
            ArrayNode out, PeerDetectors.Mmd mmd, JobContext context) {
        int size = config.windowSize();
        int windows = config.cleanWindows();
        int[] window = new int[size];
        long[] calibratedAlarms = new long[detectors.size()];
        long[] ownAlarms = new long[detectors.size()];
        long permutationAlarms = 0;
        int permutationWindows = Math.min(windows, config.permutationWindows());
        Random permutationRandom = new Random(config.seed());
        double[] cusumScores = new double[windows];
        long cusumSignals = 0;
        Cusum cusum = new Cusum(config.cusumReference(), Cusum.thresholdFor(config.cusumArl(), config.cusumReference()));
        double logAlpha = -Math.log10(config.alpha());
        WindowDraw draw = WindowDraw.all(clean.size());
        for (int w = 0; w < windows; w++) {
            draw.draw(random, window);
            for (int d = 0; d < detectors.size(); d++) {
                BenchmarkDetector detector = detectors.get(d);
                long started = System.nanoTime();
                double score = detector.score(clean, window, size);
                timings.add(detector.name(), System.nanoTime() - started);
                if (score > thresholds.get(detector.name())) {
                    calibratedAlarms[d]++;
                }
                if (detector.scoreIsLogP() && score > logAlpha) {
                    ownAlarms[d]++;
                }
                if (detector == varshift) {
                    cusumScores[w] = Cusum.score(Math.pow(10, -score));
                    if (cusum.observe(cusumScores[w])) {
                        cusumSignals++;
                        cusum.reset();
                    }
                }
            }
            if (w < permutationWindows && mmd.permutationPValue(clean, window, size, config.permutations(),
                    permutationRandom) < config.alpha()) {
                permutationAlarms++;
            }
            if (w % 100 == 99) {
                context.checkCancelled();
                context.progress((w + 1.0) / windows, "clean windows");
            }
        }
        for (int d = 0; d < detectors.size(); d++) {
            BenchmarkDetector detector = detectors.get(d);
            ObjectNode o = out.addObject();
            o.put("name", detector.name());
            o.put("description", detector.description());
            o.put("threshold", thresholds.get(detector.name()));
            BinomialInterval rate = BinomialInterval.clopperPearson(calibratedAlarms[d], windows);
            o.put("cleanWindows", windows);
            o.put("cleanAlarms", calibratedAlarms[d]);
            o.put("cleanRate", rate.rate());
            o.put("cleanLower", rate.lower());
            o.put("cleanUpper", rate.upper());
            if (detector.scoreIsLogP()) {
                o.put("ownDecisionRate", (double) ownAlarms[d] / windows);
            } else if (detector == mmd && permutationWindows > 0) {
                o.put("ownDecisionRate", (double) permutationAlarms / permutationWindows);
                o.put("ownDecisionWindows", permutationWindows);
            }
            if (detector == varshift) {
                o.put("cusumSignals", cusumSignals);
            }
        }
        return cusumScores;
    }

    /** Trials of consecutive corrupted windows; per detector the detections within the trial. */
    private static ObjectNode trials(Pool pool, List<BenchmarkDetector> detectors, VarshiftDetector varshift,
            Map<String, Double> thresholds, double[] cleanScores, BenchmarkConfig config, SplittableRandom random,
            Timings timings) {
        int size = config.windowSize();
        int[] window = new int[size];
        int[][] delays = new int[detectors.size()][config.trials()];
        int[] sequential = new int[config.trials()];
        double cusumThreshold = Cusum.thresholdFor(config.cusumArl(), config.cusumReference());
        WindowDraw draw = WindowDraw.all(pool.size());
        for (int t = 0; t < config.trials(); t++) {
            Cusum cusum = new Cusum(config.cusumReference(), cusumThreshold);
            for (int w = 0; w < config.warmupWindows(); w++) {
                if (cusum.observe(cleanScores[random.nextInt(cleanScores.length)])) {
                    cusum.reset();
                }
            }
            for (int w = 1; w <= config.windowsPerTrial(); w++) {
                draw.draw(random, window);
                for (int d = 0; d < detectors.size(); d++) {
                    BenchmarkDetector detector = detectors.get(d);
                    long started = System.nanoTime();
                    double score = detector.score(pool, window, size);
                    timings.add(detector.name(), System.nanoTime() - started);
                    if (delays[d][t] == 0 && score > thresholds.get(detector.name())) {
                        delays[d][t] = w;
                    }
                    if (detector == varshift && cusum.observe(Cusum.score(Math.pow(10, -score)))
                            && sequential[t] == 0) {
                        sequential[t] = w;
                    }
                }
            }
        }
        ObjectNode o = Json.object();
        for (int d = 0; d < detectors.size(); d++) {
            o.set(detectors.get(d).name(), Detection.of(delays[d]).toJson());
            if (detectors.get(d) == varshift) {
                o.set(VarshiftDetector.NAME + "-cusum", Detection.of(sequential).toJson());
            }
        }
        return o;
    }

    /** Seconds of a plain eval pass over the set (no probes): the forward every detector starts from. */
    private static double plainPass(LoadedModel model, ImageSet set, int batchSize, JobContext context) {
        long started = System.nanoTime();
        EvalPass.run(model.block(), model.model().getNDManager(), set, batchSize, context, "plain forward");
        return (System.nanoTime() - started) / 1e9;
    }

    /** A seeded Gaussian projection of the penultimate features to {@code featureDim}, entries N(0, 1/dim). */
    private static NDArray projection(LoadedModel model, ImageSet sample, BenchmarkConfig config) {
        long width = Pool.penultimateWidth(model, sample);
        int dim = config.featureDim();
        float[] values = new float[Math.toIntExact(width * dim)];
        Random random = new Random(config.seed() ^ 0x5EED);
        double scale = 1 / Math.sqrt(dim);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * scale);
        }
        return model.model().getNDManager().create(values, new Shape(width, dim));
    }

    /** Total time per detector, for the cost per window. */
    private static final class Timings {
        private final Map<String, long[]> nanos = new LinkedHashMap<>();

        void add(String detector, long elapsed) {
            long[] t = nanos.computeIfAbsent(detector, k -> new long[2]);
            t[0] += elapsed;
            t[1]++;
        }

        double msPerWindow(String detector) {
            long[] t = nanos.get(detector);
            return t == null || t[1] == 0 ? Double.NaN : t[0] / 1e6 / t[1];
        }
    }

    /**
     * The images the model's calibration used (held-out test images, then held-back training images, as
     * the trainer joined them) and the unseen test images after them.
     */
    record Split(ImageSet calibration, ImageSet unseen, int heldOut, int validation) {

        static Split of(ModelArtifact artifact, FashionMnist data, int poolLimit, String name) {
            int heldOut = HeldOutTestImages.of(artifact, "benchmark-detectors");
            JsonNode t = artifact.modelJson().get("training");
            int validation = t.has("validationSamples") ? t.get("validationSamples").asInt() : 0;
            ImageSet test = data.test();
            ImageSet train = data.train();
            int end = poolLimit == 0 ? test.size() : Math.min(test.size(), heldOut + poolLimit);
            if (end - heldOut < EvaluationConfig.MIN_UNSEEN / 2) {
                throw new IllegalArgumentException(name + ": only " + Math.max(0, end - heldOut) + " test images after"
                        + " the " + heldOut + " held out for calibration; the benchmark needs at least "
                        + EvaluationConfig.MIN_UNSEEN / 2 + " images the calibration never saw; train with a smaller"
                        + " --held-out");
            }
            ImageSet calibration = test.slice(0, heldOut);
            if (validation > 0) {
                calibration = ImageSet.concat(calibration, train.slice(train.size() - validation, train.size()));
            }
            return new Split(calibration, test.slice(heldOut, end), heldOut, validation);
        }

        ObjectNode toJson() {
            ObjectNode o = Json.object();
            o.put("calibrationSamples", calibration.size());
            o.put("heldOutTestSamples", heldOut);
            o.put("validationSamples", validation);
            o.put("unseenFrom", heldOut);
            o.put("unseenSamples", unseen.size());
            return o;
        }
    }
}
