package io.varshift.agent.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.varshift.core.calibration.ModelCalibrator;
import io.varshift.core.calibration.SampleContributions;
import io.varshift.core.data.BatchFeeder;
import io.varshift.core.reference.ModelReference;
import io.varshift.core.spec.BnMomentsCollector;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.varshift.agent.AgentService;
import io.varshift.agent.loop.AgentLoop;
import io.varshift.agent.loop.LoopSettings;
import io.varshift.agent.metrics.AgentMetrics;
import io.varshift.agent.model.DjlModel;
import io.varshift.agent.model.StoreModelSource;
import io.varshift.agent.model.WindowFit;
import io.varshift.core.artifact.ArtifactContents;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.codec.DecodeLimits;
import io.varshift.core.codec.NpyWriter;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.data.ImageSet;
import io.varshift.core.spec.BnProbes;
import io.varshift.core.spec.BnReestimator;
import io.varshift.core.spec.ModelBlocks;
import io.varshift.core.spec.ModelLoader;
import io.varshift.core.spec.ModelSpec;
import io.varshift.core.window.WindowState;
import io.varshift.stack.KafkaBrokerExtension;

/**
 * Throughput of the agent on one model and batch size, printed (not asserted): plain eval forward,
 * forward with BN probes folded into moments, and end to end from a pre-filled topic through the
 * real loop, plus the resident set size during the sustained run. The model has random weights but
 * BN statistics re-estimated on Fashion-MNIST training images, so the probes shift by realistic
 * running means, and calibrated on 2000 of them (so that the probes also give cell means and the
 * windows score their samples, as deployed). Args (optional, by position): images (default 20000),
 * batch (default 64), width (default 16), calibrated (default true; false measures the probes without
 * the cell means and scores).
 */
public final class AgentBench {

    private AgentBench() {
    }

    public static void main(String[] args) throws Exception {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 20000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int width = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        boolean calibrated = args.length <= 3 || Boolean.parseBoolean(args[3]);
        ModelSpec spec = ModelSpec.fashionMnist(ModelSpec.Architecture.CONVNET).optWidth(width).optSeed(3).build();
        Path store = Files.createTempDirectory("varshift-bench-store-");
        FashionMnist data = FashionMnist.installed();
        writeModel(spec, store, data.train().slice(0, 5000), calibrated);
        ImageSet test = data.test();
        System.out.printf("model convnet width %d, batch %d, %d images, calibrated %s, %d CPUs%n", width, batch,
                images, calibrated,
                Runtime.getRuntime().availableProcessors());

        try (DjlModel model = new DjlModel(ModelLoader.load(new ModelStore(store).loadLatest("fmnist")))) {
            ByteBuffer input = ByteBuffer.allocateDirect(batch * 784 * 4).order(ByteOrder.nativeOrder());
            FloatBuffer floats = input.asFloatBuffer();
            for (int i = 0; i < batch; i++) {
                test.copySample(i, floats);
            }
            // The agent's own window: moments, and the cell scores when the model has a calibration.
            WindowState fold = new WindowState(model.reference(), model.classes());
            int rounds = Math.max(1, images / batch);
            // Plain and probed forwards alternate batch by batch on one thread, on distinct test images:
            // on a shared machine a slow spell then hits both alike, and the ratio stays fair.
            long[] nanos = forwardNanos(model, test, input, floats, batch, rounds, fold);
            double plain = rounds * batch / (nanos[0] / 1e9);
            double probed = rounds * batch / (nanos[1] / 1e9);
            System.out.printf("plain eval forward        %10.0f img/s%n", plain);
            System.out.printf("forward with probes       %10.0f img/s  (%.3fx plain time)%n", probed,
                    (double) nanos[1] / nanos[0]);
            for (int layer = 0; layer < model.layers().size(); layer++) {
                System.out.printf("  %-12s probe took the exact path in %d of %d batches%n",
                        model.layers().get(layer).name(), model.exactProbePathBatches(layer), 2 * rounds);
            }
            double e2e = endToEnd(store, test, images, batch);
            System.out.printf("agent end to end          %10.0f img/s  (%.2fx plain)%n", e2e, e2e / plain);
        }
        System.exit(0);
    }

    private static void writeModel(ModelSpec spec, Path store, ImageSet bnData, boolean calibrated) {
        Block block = ModelBlocks.build(spec);
        try (Model model = Model.newInstance("bench")) {
            model.setBlock(block);
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, 28, 28));
            BnReestimator.reestimate(block, bnData, 250, model.getNDManager());
            new ModelStore(store).write("fmnist", ArtifactContents.builder()
                    .setModelJson(spec.toJson())
                    .setReferenceJson((calibrated ? calibrated(spec, block, model.getNDManager(), bnData)
                            : ModelLoader.reference(BnProbes.attach(block))).toJson())
                    .addParams(ModelLoader.PARAMS_FILE, ModelLoader.saveParams(block))
                    .build());
        }
    }

    /**
     * The block's reference with a calibration from 2000 of the images, as the trainer calibrates
     * (fewer replicates: the bench measures cost, not rates), so that the probes also deliver cell
     * means and every window scores its samples, as in a deployment.
     */
    private static ModelReference calibrated(ModelSpec spec, Block block, NDManager manager, ImageSet images) {
        BnProbes probes = BnProbes.attach(block);
        ModelReference reference = ModelLoader.reference(probes);
        BnMomentsCollector held = BnMomentsCollector.attach(probes, true);
        int n = Math.min(2000, images.size());
        int[] predicted = new int[n];
        BatchFeeder feeder = new BatchFeeder(250, spec.inputShape());
        for (int from = 0; from < n; from += 250) {
            int to = Math.min(n, from + 250);
            try (NDManager batch = manager.newSubManager()) {
                long[] classes = block.forward(new ParameterStore(batch, false),
                        new NDList(feeder.images(batch, images, from, to)), false).singletonOrThrow().argMax(1).toLongArray();
                for (int i = 0; i < classes.length; i++) {
                    predicted[from + i] = (int) classes[i];
                }
            }
        }
        probes.setListener(null);
        List<SampleContributions> rows = new java.util.ArrayList<>();
        for (int l = 0; l < probes.layerCount(); l++) {
            rows.add(held.sampleContributions(l));
        }
        return reference.withCalibration(new ModelCalibrator(2000, 1).calibrate(new ModelCalibrator.HeldOut(
                probes.layerNames(), rows, predicted, null, spec.classes().size()), List.of(64, 256, 1000), 1e-3));
    }

    private static double endToEnd(Path store, ImageSet test, int images, int batch) throws Exception {
        String bootstrap = KafkaBrokerExtension.bootstrapServers();
        String topic = "bench-traffic-" + UUID.randomUUID().toString().substring(0, 8);
        KafkaBrokerExtension.createTopic(topic, 2);
        // The output topics exist in a deployment; created here so that the first window close does not
        // wait for topic auto-creation inside the timed run.
        for (String output : List.of(topic + "-dlq", topic + "-windows", topic + "-alerts")) {
            KafkaBrokerExtension.createTopic(output, 1);
        }
        Properties p = new Properties();
        p.putAll(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, "20",
                ProducerConfig.BATCH_SIZE_CONFIG, "1048576"));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            FloatBuffer one = FloatBuffer.allocate(784);
            for (int i = 0; i < images; i++) {
                one.clear();
                test.copySample(i % test.size(), one);
                RecordHeaders headers = new RecordHeaders();
                headers.add("varshift-model", "fmnist".getBytes());
                producer.send(new ProducerRecord<>(topic, null, (byte[]) null,
                        NpyWriter.float32(one.array(), 1, 28, 28), headers));
            }
        }
        Properties c = new Properties();
        c.putAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, topic,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
        AgentService.applyFetchDefaults(c);
        warmFetchPath(c, topic, images);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AgentMetrics metrics = new AgentMetrics(registry);
        LoopSettings settings = new LoopSettings(List.of(topic), topic + "-dlq", topic + "-windows",
                topic + "-alerts", batch, Duration.ofMillis(50), 1.0, 1000, null, 2, 2, Duration.ofMillis(100),
                Duration.ofSeconds(30), Duration.ofSeconds(5), DecodeLimits.DEFAULT);
        AgentLoop loop = new AgentLoop(new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()), settings,
                new StoreModelSource(new ModelStore(store), List.of("fmnist"), metrics, new WindowFit(0, true)), metrics, Clock.systemUTC());
        Thread thread = new Thread(loop, "bench-loop");
        thread.start();
        // The clock starts at the first consumed record, so group join and model load are not counted.
        while (consumed(registry) == 0) {
            requireAlive(thread);
            Thread.sleep(5);
        }
        long start = System.nanoTime();
        double first = consumed(registry);
        int quarter = 1;
        while (consumed(registry) < images) {
            if (consumed(registry) >= quarter * images / 4.0) {
                System.out.printf("  RSS after %3d%% of the run: %s%n", quarter * 25, memory());
                quarter++;
            }
            requireAlive(thread);
            Thread.sleep(2);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("  RSS after 100%% of the run: %s%n", memory());
        var forward = registry.find("varshift.forward").timer();
        System.out.printf("  inside the loop, forward with probes: %.0f img/s%n",
                images / forward.totalTime(java.util.concurrent.TimeUnit.SECONDS));
        loop.stop();
        thread.join(30_000);
        return (images - first) / seconds;
    }

    /**
     * Reads the whole topic once with a throwaway consumer (no commits), so that the broker, freshly
     * started for the bench, has compiled its fetch path before the timed run, as a serving broker has.
     */
    private static void warmFetchPath(Properties consumerProps, String topic, int records) {
        Properties p = new Properties();
        p.putAll(consumerProps);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-warm-up");
        try (KafkaConsumer<byte[], byte[]> warm = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            warm.subscribe(List.of(topic));
            long read = 0;
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (read < records && System.nanoTime() < deadline) {
                read += warm.poll(Duration.ofMillis(200)).count();
            }
        }
    }

    private static void requireAlive(Thread loop) {
        if (!loop.isAlive()) {
            throw new IllegalStateException("the agent loop stopped before consuming every record; see its log");
        }
    }

    private static double consumed(SimpleMeterRegistry registry) {
        var counter = registry.find("varshift.records.consumed").counter();
        return counter == null ? 0 : counter.count();
    }

    /** RSS beside the JVM's committed heap and non-heap, so that native growth shows apart from heap sizing. */
    private static String memory() throws IOException {
        var bean = java.lang.management.ManagementFactory.getMemoryMXBean();
        long heap = bean.getHeapMemoryUsage().getCommitted() >> 20;
        long nonHeap = bean.getNonHeapMemoryUsage().getCommitted() >> 20;
        long rss = rssMiB();
        return String.format("%d MiB (JVM heap %d + non-heap %d committed; rest %d)", rss, heap, nonHeap,
                rss - heap - nonHeap);
    }

    private static long rssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }

    /**
     * Total nanoseconds of {@code rounds} plain and {@code rounds} probed forwards, after as many
     * untimed warm-up rounds (allocator and JIT settle), on a fresh thread as the agent's loop runs on its own thread (a forward on
     * the thread that initialised the engine measured several times slower).
     */
    private static long[] forwardNanos(DjlModel model, ImageSet test, ByteBuffer input, FloatBuffer floats, int batch,
                                       int rounds, WindowState fold) throws InterruptedException {
        long[] nanos = new long[2];
        int[] predicted = new int[batch];
        Thread t = new Thread(() -> {
            for (int r = -rounds; r < rounds; r++) {
                floats.clear();
                for (int i = 0; i < batch; i++) {
                    test.copySample(Math.floorMod(r * batch + i, test.size()), floats);
                }
                long start = System.nanoTime();
                model.forwardWithoutProbes(input, batch);
                long middle = System.nanoTime();
                model.forward(input, batch, fold.listener(), predicted);
                fold.forwarded(predicted, batch);
                long end = System.nanoTime();
                if (r >= 0) {
                    nanos[0] += middle - start;
                    nanos[1] += end - middle;
                }
            }
        }, "bench-forward");
        t.start();
        t.join();
        return nanos;
    }
}
