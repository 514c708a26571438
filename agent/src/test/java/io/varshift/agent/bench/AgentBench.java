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
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
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
import io.varshift.core.calibration.ModelCalibrator;
import io.varshift.core.calibration.SampleContributions;
import io.varshift.core.codec.DecodeLimits;
import io.varshift.core.codec.NpyWriter;
import io.varshift.core.data.BatchFeeder;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.data.ImageSet;
import io.varshift.core.model.BnReestimator;
import io.varshift.core.model.ModelBlocks;
import io.varshift.core.model.ModelLoader;
import io.varshift.core.probe.BnMomentsCollector;
import io.varshift.core.probe.BnProbes;
import io.varshift.core.reference.ModelReference;
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
        if (args.length > 0 && args[0].equals("race")) {
            race(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("probes")) {
            probes(args.length > 1 ? Integer.parseInt(args[1]) : 300, args.length > 2 ? Integer.parseInt(args[2]) : 64);
            return;
        }
        if (args.length > 0 && args[0].equals("soak")) {
            soak(args.length > 1 ? Integer.parseInt(args[1]) : 30, args.length > 2 ? Integer.parseInt(args[2]) : 1000);
            return;
        }
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 20000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int width = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        boolean calibrated = args.length <= 3 || Boolean.parseBoolean(args[3]);
        Path store = benchStore("varshift-bench-store-", width, calibrated);
        ImageSet test = FashionMnist.installed().test();
        System.out.printf("model convnet width %d, batch %d, %d images, calibrated %s, %d CPUs%n", width, batch,
                images, calibrated,
                Runtime.getRuntime().availableProcessors());

        try (DjlModel model = new DjlModel(new ModelStore(store).loadLatest("fmnist"))) {
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

    /**
     * Plain and fully probed forward rates (img/s) of {@code workers} threads forwarding at once, each
     * on its own copy of the model, as the agent's forward workers do: phases of {@code rounds} batches
     * per thread, plain and probed alternating three times (medians). The engine threads are whatever
     * the engine was given; {@link ai.djl.pytorch.jni.JniUtils#setNumThreads} before calling sets them.
     */
    static double[] parallelRates(Path store, ImageSet test, int workers, int batch, int rounds) throws Exception {
        String[] modes = {"plain", "probed", "plain", "probed", "plain", "probed"};
        java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(workers + 1);
        List<DjlModel> models = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        for (int w = 0; w < workers; w++) {
            DjlModel model = new DjlModel(new ModelStore(store).loadLatest("fmnist"));
            models.add(model);
            int offset = w * rounds * batch;
            Thread t = new Thread(() -> {
                ByteBuffer input = ByteBuffer.allocateDirect(batch * 784 * 4).order(ByteOrder.nativeOrder());
                FloatBuffer floats = input.asFloatBuffer();
                WindowState fold = new WindowState(model.reference(), model.classes());
                int[] predicted = new int[batch];
                try {
                    // Phase -1 warms up (JIT, allocator) untimed.
                    for (int phase = -1; phase < modes.length; phase++) {
                        boolean probed = phase < 0 || modes[phase].equals("probed");
                        barrier.await();
                        for (int r = 0; r < rounds; r++) {
                            floats.clear();
                            for (int i = 0; i < batch; i++) {
                                test.copySample(Math.floorMod(offset + r * batch + i, test.size()), floats);
                            }
                            if (probed) {
                                model.forward(input, batch, fold.listener(), predicted);
                                fold.forwarded(predicted, batch);
                            } else {
                                model.forwardWithoutProbes(input, batch);
                            }
                        }
                        barrier.await();
                    }
                } catch (Exception e) {
                    failed.set(e);
                    barrier.reset();
                }
            }, "bench-forward-" + w);
            t.setDaemon(true);
            t.start();
        }
        barrier.await();
        barrier.await();
        double[][] rates = new double[2][3];
        for (int phase = 0; phase < modes.length; phase++) {
            long start = System.nanoTime();
            barrier.await();
            barrier.await();
            long nanos = System.nanoTime() - start;
            rates[phase % 2][phase / 2] = (double) workers * rounds * batch / (nanos / 1e9);
        }
        models.forEach(DjlModel::close);
        if (failed.get() != null) {
            throw new IllegalStateException("a bench forward failed", failed.get());
        }
        return new double[] {median(rates[0]), median(rates[1])};
    }

    /**
     * {@code ./varshift bench agent probes [rounds] [batch]}: where the probes' time goes. One batch
     * of test images forwarded {@code rounds} times in each of four modes, the modes interleaved batch
     * by batch on one thread: plain; probes with a listener that takes the sums only; probes that also
     * compute the cell means; the agent's window state (sums folded, cell means scored).
     */
    private static void probes(int rounds, int batch) throws Exception {
        Path store = benchStore("varshift-bench-store-", 16, true);
        ImageSet test = FashionMnist.installed().test();
        BnProbes.Listener sums = (layer, s1, s2, samples, positions) -> { };
        BnProbes.Listener cells = new BnProbes.Listener() {
            @Override
            public void onBatch(int layer, float[] s1, float[] s2, int samples, long positions) {
            }

            @Override
            public boolean wantsCells() {
                return true;
            }
        };
        String[] names = {"plain", "probe sums", "sums + cell means", "window state"};
        long[] nanos;
        try (DjlModel model = new DjlModel(new ModelStore(store).loadLatest("fmnist"))) {
            ByteBuffer input = ByteBuffer.allocateDirect(batch * 784 * 4).order(ByteOrder.nativeOrder());
            WindowState fold = new WindowState(model.reference(), model.classes());
            int[] predicted = new int[batch];
            nanos = interleavedNanos(test, input.asFloatBuffer(), batch, rounds, List.of(
                    () -> model.forwardWithoutProbes(input, batch),
                    () -> model.forward(input, batch, sums, predicted),
                    () -> model.forward(input, batch, cells, predicted),
                    () -> {
                        model.forward(input, batch, fold.listener(), predicted);
                        fold.forwarded(predicted, batch);
                    }));
        }
        System.out.printf("convnet width 16, batch %d, %d rounds per mode, %d CPUs%n", batch, rounds,
                Runtime.getRuntime().availableProcessors());
        for (int m = 0; m < names.length; m++) {
            System.out.printf("%-20s %7.2f ms per batch  %.3fx plain time%n", names[m], nanos[m] / 1e6 / rounds,
                    (double) nanos[m] / nanos[0]);
        }
        readFloor(store, batch, rounds, nanos[0] / 1e6 / rounds);
        System.exit(0);
    }

    /**
     * The least a probe that reads each BN input twice can cost: per layer, the engine's Σx and ‖x‖
     * reductions alone (no host work) on an array of the layer's input shape, timed {@code rounds}
     * times each, on a fresh thread as the loop runs.
     */
    private static void readFloor(Path store, int batch, int rounds, double plainMillis) throws Exception {
        List<long[]> shapes = new java.util.ArrayList<>();
        try (DjlModel model = new DjlModel(new ModelStore(store).loadLatest("fmnist"))) {
            ByteBuffer input = ByteBuffer.allocateDirect(batch * 784 * 4).order(ByteOrder.nativeOrder());
            int[] predicted = new int[batch];
            model.forward(input, batch, (layer, s1, s2, samples, positions) -> shapes.add(
                    new long[] {samples, s1.length / samples, positions}), predicted);
        }
        double[] total = new double[1];
        Thread t = new Thread(() -> {
            try (NDManager manager = NDManager.newBaseManager()) {
                for (long[] shape : shapes) {
                    ai.djl.ndarray.NDArray x = manager.randomNormal(new Shape(shape));
                    long[] nanos = new long[2];
                    for (int r = -rounds; r < rounds; r++) {
                        for (int op = 0; op < 2; op++) {
                            try (NDManager scope = manager.newSubManager()) {
                                long start = System.nanoTime();
                                ai.djl.ndarray.NDArray reduced = op == 0 ? x.sum(new int[] {2}) : x.norm(new int[] {2});
                                reduced.attach(scope);
                                reduced.toFloatArray();
                                if (r >= 0) {
                                    nanos[op] += System.nanoTime() - start;
                                }
                            }
                        }
                    }
                    double sum = nanos[0] / 1e6 / rounds;
                    double norm = nanos[1] / 1e6 / rounds;
                    total[0] += sum + norm;
                    System.out.printf("  BN input %-16s Σx %.3f ms, ‖x‖ %.3f ms%n", java.util.Arrays.toString(shape), sum,
                            norm);
                }
            }
        }, "bench-reads");
        t.start();
        t.join();
        System.out.printf("two reads of every BN input: %.2f ms per batch, %.3fx plain time at the least%n", total[0],
                1 + total[0] / plainMillis);
    }

    /**
     * {@code ./varshift bench race [records] [batch] [runs]}: one pre-filled topic, then the agent's real
     * loop and the Python baseline (agent/src/test/python/race_baseline.py: librdkafka, numpy.load per
     * record, PyTorch eval with BN forward pre-hooks, windows of 1000) alternately on it, each as a fresh
     * consumer group; prints every run, the medians and the ratio, and the plain forward for scale.
     */
    private static void race(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 30000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int width = 16;
        Path store = benchStore("varshift-race-store-", width, true);
        ImageSet test = FashionMnist.installed().test();
        System.out.printf("race: %d NPY float32 [1,28,28] records, convnet width %d, batch %d, windows of 1000,"
                + " %d runs each, %d CPUs%n", records, width, batch, runs, Runtime.getRuntime().availableProcessors());
        double plain;
        try (DjlModel model = new DjlModel(new ModelStore(store).loadLatest("fmnist"))) {
            ByteBuffer input = ByteBuffer.allocateDirect(batch * 784 * 4).order(ByteOrder.nativeOrder());
            long[] nanos = forwardNanos(model, test, input, input.asFloatBuffer(), batch, 200,
                    new WindowState(model.reference(), model.classes()));
            plain = 200.0 * batch / (nanos[0] / 1e9);
            System.out.printf("one forward on all %d CPUs:  plain %8.0f img/s; with probes %.3fx plain time%n",
                    cpus(), plain, (double) nanos[1] / nanos[0]);
        }
        // The agent's default: one forward per CPU at once, each with one engine thread.
        int workers = io.varshift.agent.AgentService.forwardWorkers(0, cpus());
        ai.djl.pytorch.jni.JniUtils.setNumThreads(Math.max(1, cpus() / workers));
        double[] parallel = parallelRates(store, test, workers, batch, 100);
        double plainParallel = parallel[0];
        System.out.printf("%d forwards of %d engine thread(s) at once: plain %8.0f img/s; with probes %.3fx plain time%n",
                workers, Math.max(1, cpus() / workers), plainParallel, parallel[0] / parallel[1]);
        String topic = prefill(test, records);
        double[] jar = new double[runs];
        double[] jarInline = new double[runs];
        double[] loop = new double[runs];
        double[] python = new double[runs];
        for (int r = 0; r < runs; r++) {
            jar[r] = runnerJar(store, topic, topic + "-jar-" + r, records, batch, 0);
            System.out.printf("run %d  agent runner jar   %8.0f img/s  (default: %d forward workers)%n", r + 1, jar[r],
                    workers);
            jarInline[r] = runnerJar(store, topic, topic + "-jar1-" + r, records, batch, 1);
            System.out.printf("run %d  agent runner jar   %8.0f img/s  (forward-workers=1: on the loop thread)%n", r + 1,
                    jarInline[r]);
            loop[r] = endToEnd(store, topic, topic + "-loop-" + r, records, batch, false, workers);
            System.out.printf("run %d  agent loop alone   %8.0f img/s%n", r + 1, loop[r]);
            python[r] = python(topic, topic + "-python-" + r, records, batch, width);
            System.out.printf("run %d  python baseline    %8.0f img/s%n", r + 1, python[r]);
        }
        double a = median(jar);
        double py = median(python);
        System.out.printf("median: agent runner jar %.0f img/s (forward-workers=1: %.0f img/s), loop alone %.0f img/s,"
                + " python %.0f img/s%n", a, median(jarInline), median(loop), py);
        System.out.printf("agent (runner jar) / python %.2fx (goal >= 1.5x); agent / plain forward %.2fx (goal >= 0.85x)"
                + " against one forward on all CPUs, %.2fx against %d forwards at once%n", a / py, a / plain,
                a / plainParallel, workers);
        System.exit(0);
    }

    /**
     * The agent as a user runs it: its runner jar (Quarkus, Prometheus registry, the launcher's JVM
     * flags) as consumer group {@code group}, timed by its own window results (a topic of this run):
     * the windows after the first close 1000 records each, so the rate is (W − 1)·1000 over the time
     * between the first and the last result. Completion is polled once a second on its metrics (a
     * scrape per 100 ms took measurable CPU from the agent on two cores).
     */
    private static double runnerJar(Path store, String topic, String group, int records, int batch, int workers)
            throws Exception {
        String windows = topic + "-windows-" + group;
        KafkaBrokerExtension.createTopic(windows, 1);
        // With VARSHIFT_RACE_JFR=FILE.jfr the run is also recorded by JFR (profile settings).
        List<String> extra = new java.util.ArrayList<>();
        String jfr = System.getProperty("varshift.race.jfr", System.getenv("VARSHIFT_RACE_JFR"));
        if (jfr != null) {
            extra.add("-XX:StartFlightRecording=settings=profile,filename=" + jfr.replace(".jfr", "-" + group + ".jfr"));
        }
        extra.add("-Dvarshift.agent.batch-size=" + batch);
        extra.add("-Dvarshift.agent.forward-workers=" + workers);
        RunnerJar jar = RunnerJar.start(store, topic, group, windows, extra, "race");
        Path log = jar.log();
        int port = jar.port();
        try (io.varshift.stack.AppProcess agent = jar.process()) {
            java.net.URI metrics = java.net.URI.create("http://127.0.0.1:" + port + "/q/metrics");
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            long deadline = System.nanoTime() + 600_000_000_000L;
            // NaN (no scrape yet) is not >= records either.
            while (!(metric(http, metrics, "varshift_records_consumed_total") >= records)) {
                if (!agent.alive()) {
                    throw new IllegalStateException("the agent runner jar stopped; log " + log + ":\n" + agent.tail(30));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the agent runner jar did not consume " + records
                            + " records in 10 min; log " + log);
                }
                Thread.sleep(1000);
            }
        }
        long[] times = resultTimes(windows, records / 1000);
        return (times.length - 1) * 1000.0 / ((times[times.length - 1] - times[0]) / 1e3);
    }

    /**
     * {@code ./varshift bench soak [minutes=30] [rate=1000]}: the agent runner jar under steady traffic
     * (a producer publishing {@code rate} records per second, cycling through the test images) for
     * {@code minutes}; prints the agent's RSS (from /proc) and JVM heap used (from its metrics) each
     * minute, then the RSS spread after the first two minutes (JIT and pools settling) against the
     * ±5 % goal.
     */
    private static void soak(int minutes, int rate) throws Exception {
        Path store = benchStore("varshift-soak-store-", 16, true);
        ImageSet test = FashionMnist.installed().test();
        String topic = "soak-traffic-" + UUID.randomUUID().toString().substring(0, 8);
        KafkaBrokerExtension.createTopic(topic, 2);
        for (String output : List.of(topic + "-dlq", topic + "-windows", topic + "-alerts")) {
            KafkaBrokerExtension.createTopic(output, 1);
        }
        RunnerJar jar = RunnerJar.start(store, topic, topic, topic + "-windows", List.of(), "soak");
        Path log = jar.log();
        int port = jar.port();
        System.out.printf("soak: %d min at %d records/s, agent log %s%n", minutes, rate, log);
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread producer = new Thread(() -> produce(topic, test, rate, running), "soak-producer");
        try (io.varshift.stack.AppProcess agent = jar.process()) {
            java.net.URI metrics = java.net.URI.create("http://127.0.0.1:" + port + "/q/metrics");
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            agent.awaitHttpOk(metrics.toString(), Duration.ofMinutes(2));
            producer.start();
            List<Long> rss = new java.util.ArrayList<>();
            for (int minute = 1; minute <= minutes; minute++) {
                Thread.sleep(60_000);
                if (!agent.alive()) {
                    throw new IllegalStateException("the agent stopped during the soak; log " + log);
                }
                long r = rssMiB(agent.pid());
                rss.add(r);
                System.out.printf("minute %3d  RSS %5d MiB  heap used %5.0f MiB  records consumed %10.0f%n", minute, r,
                        metric(http, metrics, "jvm_memory_used_bytes{area=\"heap\"") / (1 << 20),
                        metric(http, metrics, "varshift_records_consumed_total"));
            }
            List<Long> settled = new java.util.ArrayList<>(rss.subList(Math.min(2, rss.size() - 1), rss.size()));
            java.util.Collections.sort(settled);
            long min = settled.get(0);
            long max = settled.get(settled.size() - 1);
            double median = settled.size() % 2 == 1 ? settled.get(settled.size() / 2)
                    : (settled.get(settled.size() / 2 - 1) + settled.get(settled.size() / 2)) / 2.0;
            System.out.printf("RSS from minute 3 on: %d..%d MiB, %+.1f %% .. %+.1f %% around the median %.0f MiB"
                    + " (goal within ±5 %%)%n", min, max, 100 * (min - median) / median, 100 * (max - median) / median,
                    median);
        } finally {
            running.set(false);
            producer.join(10_000);
        }
        System.exit(0);
    }

    private static void produce(String topic, ImageSet test, int rate, java.util.concurrent.atomic.AtomicBoolean running) {
        Properties p = new Properties();
        p.putAll(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerExtension.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, "20"));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            FloatBuffer one = FloatBuffer.allocate(784);
            long start = System.nanoTime();
            for (long i = 0; running.get(); i++) {
                long due = start + i * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                one.clear();
                test.copySample((int) (i % test.size()), one);
                RecordHeaders headers = new RecordHeaders();
                headers.add("varshift-model", "fmnist".getBytes());
                producer.send(new ProducerRecord<>(topic, null, (byte[]) null, NpyWriter.float32(one.array(), 1, 28, 28),
                        headers));
            }
        }
    }

    /** The sum of a metric's series whose line starts with {@code prefix}; NaN when the scrape fails. */
    private static double metric(java.net.http.HttpClient http, java.net.URI metrics, String prefix) {
        try {
            String text = http.send(java.net.http.HttpRequest.newBuilder(metrics).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            double sum = 0;
            for (String line : text.split("\n")) {
                if (line.startsWith(prefix)) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        } catch (IOException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The agent runner jar started for a bench: its process, HTTP port and log. */
    private record RunnerJar(io.varshift.stack.AppProcess process, int port, Path log) {

        /**
         * The jar (the launcher's JVM flags plus {@code extra}) on the bench broker, consuming
         * {@code topic} as {@code group}, watching the model "fmnist" of {@code store}.
         */
        static RunnerJar start(Path store, String topic, String group, String windows, List<String> extra,
                String bench) throws IOException {
            Path jar = Path.of(System.getProperty("varshift.agent.jar", "agent/target/quarkus-app/quarkus-run.jar"));
            int port;
            try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            List<String> options = new java.util.ArrayList<>(List.of("-XX:+UseG1GC"));
            options.addAll(extra);
            Map.of("quarkus.http.port", Integer.toString(port),
                    "varshift.agent.bootstrap-servers", KafkaBrokerExtension.bootstrapServers(),
                    "varshift.agent.group-id", group, "varshift.agent.topics", topic,
                    "varshift.agent.dead-letter-topic", topic + "-dlq", "varshift.agent.window-results-topic", windows,
                    "varshift.agent.alerts-topic", topic + "-alerts",
                    "varshift.agent.models", "fmnist", "varshift.agent.model-store", store.toString())
                    .forEach((k, v) -> options.add("-D" + k + "=" + v));
            Path log = Files.createTempFile("varshift-" + bench + "-agent-", ".log");
            String cache = System.getenv().getOrDefault("ENGINE_CACHE_DIR", "run/djl-cache");
            return new RunnerJar(io.varshift.stack.AppProcess.start("agent", jar, options, List.of(),
                    Map.of("DJL_OFFLINE", "true", "ENGINE_CACHE_DIR", cache), log), port, log);
        }
    }

    /** The record timestamps (ms) of the first {@code expected} window results on the topic. */
    private static long[] resultTimes(String windows, int expected) {
        Properties c = consumerProperties(windows + "-reader");
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            reader.subscribe(List.of(windows));
            List<Long> times = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (times.size() < expected && System.nanoTime() < deadline) {
                reader.poll(Duration.ofMillis(500)).forEach(r -> times.add(r.timestamp()));
            }
            if (times.size() < 2) {
                throw new IllegalStateException("only " + times.size() + " window results on " + windows);
            }
            return times.stream().sorted().mapToLong(Long::longValue).limit(expected).toArray();
        }
    }

    /** Runs the Python baseline on the topic as consumer group {@code group}; its img/s. */
    private static double python(String topic, String group, int records, int batch, int width) throws Exception {
        String script = System.getProperty("varshift.race.script", "agent/src/test/python/race_baseline.py");
        String interpreter = System.getProperty("varshift.race.python", "/usr/bin/python3");
        Process process = new ProcessBuilder(interpreter, script, "--bootstrap", KafkaBrokerExtension.bootstrapServers(),
                "--topic", topic, "--group", group, "--records", Integer.toString(records), "--batch",
                Integer.toString(batch), "--window", "1000", "--width", Integer.toString(width))
                .redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("the Python baseline failed (" + interpreter + " " + script + "):\n" + out);
        }
        String last = out.strip().lines().reduce((x, y) -> y).orElse("");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"rate\": ([0-9.eE+-]+)").matcher(last);
        if (!m.find()) {
            throw new IllegalStateException("the Python baseline printed no rate:\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }

    private static int cpus() {
        return Runtime.getRuntime().availableProcessors();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * A model store holding the bench's ConvNet ({@code width}, 2 blocks, seed 3) as model
     * {@code fmnist}: BN statistics re-estimated on 5000 training images, calibrated on 2000 of them
     * when {@code calibrated}.
     */
    private static Path benchStore(String prefix, int width, boolean calibrated) throws IOException {
        ModelSpec spec = ModelSpec.fashionMnist(ModelSpec.Architecture.CONVNET).optWidth(width).optSeed(3).build();
        Path store = Files.createTempDirectory(prefix);
        writeModel(spec, store, FashionMnist.installed().train().slice(0, 5000), calibrated);
        return store;
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

    /** End to end with the agent's default forward workers, each with CPUs / workers engine threads. */
    private static double endToEnd(Path store, ImageSet test, int images, int batch) throws Exception {
        int workers = io.varshift.agent.AgentService.forwardWorkers(0, cpus());
        ai.djl.pytorch.jni.JniUtils.setNumThreads(Math.max(1, cpus() / workers));
        System.out.printf("end to end with %d forward worker(s) of %d engine thread(s)%n", workers,
                Math.max(1, cpus() / workers));
        String topic = prefill(test, images);
        return endToEnd(store, topic, topic, images, batch, true, workers);
    }

    /** A fresh topic of {@code images} NPY float32 [1, 28, 28] records, read once so the broker is warm. */
    private static String prefill(ImageSet test, int images) {
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
        warmFetchPath(consumerProperties(topic), topic, images);
        return topic;
    }

    private static Properties consumerProperties(String group) {
        Properties c = new Properties();
        c.putAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerExtension.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
        AgentService.applyFetchDefaults(c);
        return c;
    }

    /**
     * The real loop over a pre-filled topic as consumer group {@code group}; img/s from the first record
     * consumed to the last. {@code report} prints RSS by quarter and the loop's own forward rate.
     */
    private static double endToEnd(Path store, String topic, String group, int images, int batch, boolean report,
            int workers) throws Exception {
        Properties p = new Properties();
        p.putAll(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerExtension.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, "20", ProducerConfig.BATCH_SIZE_CONFIG, "1048576"));
        Properties c = consumerProperties(group);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AgentMetrics metrics = new AgentMetrics(registry);
        LoopSettings settings = LoopSettings.builder()
                .topics(List.of(topic))
                .deadLetterTopic(topic + "-dlq")
                .windowResultsTopic(topic + "-windows")
                .alertsTopic(topic + "-alerts")
                .batchSize(batch)
                .maxWait(Duration.ofMillis(50))
                .sampleRate(1.0)
                .windowSamples(1000)
                .windowDuration(null)
                .enterAfter(2)
                .exitAfter(2)
                .pollTimeout(Duration.ofMillis(100))
                .reloadInterval(Duration.ofSeconds(30))
                .commitInterval(Duration.ofSeconds(5))
                .decodeLimits(DecodeLimits.DEFAULT)
                .forwardWorkers(workers)
                .build();
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
            if (report && consumed(registry) >= quarter * images / 4.0) {
                System.out.printf("  RSS after %3d%% of the run: %s%n", quarter * 25, memory());
                quarter++;
            }
            requireAlive(thread);
            Thread.sleep(2);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (report) {
            System.out.printf("  RSS after 100%% of the run: %s%n", memory());
            var forward = registry.find("varshift.forward").timer();
            System.out.printf("  inside the loop, forward with probes: %.0f img/s%n",
                    images / forward.totalTime(java.util.concurrent.TimeUnit.SECONDS));
        }
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
        return rssMiB(ProcessHandle.current().pid());
    }

    private static long rssMiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }

    /**
     * Total nanoseconds of {@code rounds} plain and {@code rounds} probed forwards (the agent's window
     * state), interleaved (see {@link #interleavedNanos}).
     */
    private static long[] forwardNanos(DjlModel model, ImageSet test, ByteBuffer input, FloatBuffer floats, int batch,
                                       int rounds, WindowState fold) throws InterruptedException {
        int[] predicted = new int[batch];
        return interleavedNanos(test, floats, batch, rounds, List.of(
                () -> model.forwardWithoutProbes(input, batch),
                () -> {
                    model.forward(input, batch, fold.listener(), predicted);
                    fold.forwarded(predicted, batch);
                }));
    }

    /**
     * Total nanoseconds of each mode over {@code rounds} batches, the modes taking turns batch by
     * batch on the same images (a slow spell of a shared machine hits them alike), after as many
     * untimed warm-up rounds (allocator and JIT settle), on a fresh thread as the agent's loop runs
     * on its own thread (a forward on the thread that initialised the engine measured several times
     * slower). Each round first copies the next {@code batch} test images into {@code floats}.
     */
    private static long[] interleavedNanos(ImageSet test, FloatBuffer floats, int batch, int rounds,
                                           List<Runnable> modes) throws InterruptedException {
        long[] nanos = new long[modes.size()];
        Thread t = new Thread(() -> {
            for (int r = -rounds; r < rounds; r++) {
                floats.clear();
                for (int i = 0; i < batch; i++) {
                    test.copySample(Math.floorMod(r * batch + i, test.size()), floats);
                }
                for (int m = 0; m < modes.size(); m++) {
                    long start = System.nanoTime();
                    modes.get(m).run();
                    if (r >= 0) {
                        nanos[m] += System.nanoTime() - start;
                    }
                }
            }
        }, "bench-forward");
        t.start();
        t.join();
        return nanos;
    }
}
