package io.varshift.agent.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.varshift.agent.fleet.FleetTopology;
import io.varshift.agent.fleet.Partial;
import io.varshift.agent.it.AgentProcess;
import io.varshift.agent.it.TinyFashionModel;
import io.varshift.agent.metrics.AgentMetrics;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.codec.NpyWriter;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.data.ImageSet;
import io.varshift.core.json.Json;
import io.varshift.core.moments.ChannelMoments;
import io.varshift.stack.KafkaBrokerExtension;

/**
 * Fleet mode's bench ({@code ./varshift bench fleet [records=40000] [slice=100] [agents=1,2,3]}): on an
 * 8-partition topic, the throughput of one agent in single-agent mode and of fleets of 1, 2 and 3
 * agents (child JVMs, {@link AgentProcess}, each with its share of the fleet judge), from the moment
 * the group is stable and the records start to flow until the last record is in a committed fleet
 * window; then the cost of the fleet judge per partial (parse, merge, store) and of a merge alone, on
 * the partials the 3-agent run published. The model is the tests' small ConvNet (width 4, windows of 200).
 */
public final class FleetBench {

    static final int PARTITIONS = 8;
    static final int WINDOW = TinyFashionModel.WINDOW;
    static final String MODEL = "fmnist";

    private FleetBench() {
    }

    public static void main(String[] args) throws Exception {
        int records = 40_000;
        int slice = 100;
        List<Integer> fleets = List.of(1, 2, 3);
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "records" -> records = Integer.parseInt(kv[1]);
                case "slice" -> slice = Integer.parseInt(kv[1]);
                case "agents" -> fleets = List.of(kv[1].split(",")).stream().map(Integer::parseInt).toList();
                default -> throw new IllegalArgumentException("unknown argument '" + a
                        + "'; use records=N slice=N agents=1,2,3");
            }
        }
        String bootstrap = KafkaBrokerExtension.bootstrapServers();
        Path store = Files.createTempDirectory("varshift-fleet-bench-store-");
        TinyFashionModel.shared().writeTo(store, MODEL);
        List<byte[]> images = images(2000);
        System.out.printf("fleet bench: %d records on %d partitions, windows of %d, slices of %d offsets, %d CPUs%n",
                records, PARTITIONS, WINDOW, slice, Runtime.getRuntime().availableProcessors());

        Run single = run(bootstrap, store, images, records, 1, 0);
        System.out.printf("single-agent mode, 1 agent: %6.0f records/s (%d windows)%n", single.rate(), single.windows);
        List<byte[]> partials = List.of();
        for (int k : fleets) {
            Run r = run(bootstrap, store, images, records, k, slice);
            System.out.printf("fleet mode, %d agent%s:      %6.0f records/s (%d fleet windows, %d partials of %.1f KiB)%n",
                    k, k == 1 ? " " : "s", r.rate(), r.windows, r.partials.size(),
                    r.partials.stream().mapToInt(p -> p.length).average().orElse(0) / 1024);
            partials = r.partials;
        }
        mergeCost(partials, store);
    }

    /** One measured run: its windows, its partials, and the records over the time from t0 to the last window. */
    record Run(long records, long nanos, int windows, List<byte[]> partials) {
        double rate() {
            return records / (nanos / 1e9);
        }
    }

    /**
     * Starts {@code agents} agents (fleet mode when {@code slice} > 0) on a fresh topic and group,
     * waits until the group holds all of them and every partition is assigned, then produces the
     * records and waits until the window results hold them all.
     */
    static Run run(String bootstrap, Path store, List<byte[]> images, int records, int agents, int slice)
            throws Exception {
        String id = "fleet-bench-" + UUID.randomUUID().toString().substring(0, 8);
        String traffic = id + "-traffic";
        String windows = id + "-windows";
        String partialsTopic = windows + "-partials";
        KafkaBrokerExtension.createTopic(traffic, PARTITIONS);
        KafkaBrokerExtension.createTopic(windows, 1);
        KafkaBrokerExtension.createTopic(windows + "-alerts", 1);
        KafkaBrokerExtension.createTopic(windows + "-dlq", 1);
        KafkaBrokerExtension.createTopic(partialsTopic, 1);
        List<Process> processes = new ArrayList<>();
        try {
            for (int i = 0; i < agents; i++) {
                processes.add(agent(bootstrap, id + "-agent", traffic, windows, store, slice > 0 ? partialsTopic : null,
                        slice, agents));
            }
            awaitStable(bootstrap, id + "-agent", agents, processes);
            System.out.printf("  (%d agent%s up; load average %s)%n", agents, agents == 1 ? "" : "s", loadAverage());
            long t0 = System.nanoTime();
            Instant start = Instant.now();
            produce(bootstrap, traffic, images, records);
            List<ObjectNode> results = awaitAll(bootstrap, windows, records, processes);
            Instant last = results.stream().map(w -> Instant.parse(w.get("closedAt").asText()))
                    .max(Instant::compareTo).orElseThrow();
            long nanos = Duration.between(start, last).toNanos();
            if (nanos <= 0) {
                nanos = System.nanoTime() - t0;
            }
            List<byte[]> partials = slice > 0 ? values(bootstrap, partialsTopic) : List.of();
            return new Run(records, nanos, results.size(), partials);
        } finally {
            for (Process p : processes) {
                p.destroy();
            }
            for (Process p : processes) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    static Process agent(String bootstrap, String group, String traffic, String windows, Path store,
            String partialsOrNull, int slice, int agents) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Dai.djl.offline=true", "-Xmx512m", "-Dvarshift.test.window.duration=PT5S"));
        // Agents on one host split its cores, as engine-threads does for forward workers: PyTorch's OpenMP
        // threads spin while they wait, and more of them than cores slows every forward down several times.
        command.add("-Dai.djl.pytorch.num_threads=" + Math.max(1, Runtime.getRuntime().availableProcessors() / agents));
        if (partialsOrNull != null) {
            command.add("-Dvarshift.test.fleet.partials=" + partialsOrNull);
            command.add("-Dvarshift.test.fleet.slice-records=" + slice);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), AgentProcess.class.getName(), bootstrap,
                group, traffic, windows, store.toString(), MODEL, Integer.toString(WINDOW), Integer.toString(port)));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("DJL_OFFLINE", "true");
        Path log = Files.createTempFile("varshift-fleet-bench-agent-", ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return pb.start();
    }

    /** The 1-minute load average (a shared machine: other work on it shows here). */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "unknown";
        }
    }

    static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    /** Until the group has {@code agents} members that hold all partitions (the models are loaded then). */
    static void awaitStable(String bootstrap, String group, int agents, List<Process> processes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        try (Admin admin = admin(bootstrap)) {
            while (System.nanoTime() < deadline) {
                for (Process p : processes) {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("an agent exited with status " + p.exitValue());
                    }
                }
                ConsumerGroupDescription g;
                try {
                    g = admin.describeConsumerGroups(List.of(group)).all().get(20, TimeUnit.SECONDS).get(group);
                } catch (java.util.concurrent.ExecutionException e) {
                    // The group does not exist until the first agent joins.
                    Thread.sleep(500);
                    continue;
                }
                int assigned = g.members().stream().mapToInt(m -> m.assignment().topicPartitions().size()).sum();
                boolean all = g.members().size() == agents && assigned == PARTITIONS
                        && g.members().stream().map(MemberDescription::assignment).allMatch(a -> !a.topicPartitions().isEmpty());
                if (all) {
                    // Models load before the first poll; give the last joiner's rebalance time to settle.
                    Thread.sleep(3000);
                    return;
                }
                Thread.sleep(500);
            }
        }
        throw new IllegalStateException("group " + group + " did not reach " + agents + " members in 3 minutes");
    }

    static void produce(String bootstrap, String topic, List<byte[]> images, int records) {
        Properties p = new Properties();
        p.putAll(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.LINGER_MS_CONFIG, "20", ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(1 << 20)));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < records; i++) {
                RecordHeaders headers = new RecordHeaders();
                headers.add("varshift-model", MODEL.getBytes(StandardCharsets.UTF_8));
                headers.add("content-type", "application/x-npy".getBytes(StandardCharsets.UTF_8));
                producer.send(new ProducerRecord<>(topic, i % PARTITIONS, (byte[]) null, images.get(i % images.size()), headers));
            }
        }
    }

    /** Until the committed window results hold {@code records} samples; returns them. */
    static List<ObjectNode> awaitAll(String bootstrap, String windows, long records, List<Process> processes)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline) {
            List<ObjectNode> results = new ArrayList<>();
            for (byte[] v : values(bootstrap, windows)) {
                results.add(Json.parseObject(new String(v, StandardCharsets.UTF_8)));
            }
            long samples = results.stream().mapToLong(w -> w.get("samples").asLong()).sum();
            if (samples >= records) {
                return results;
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("the window results did not reach " + records + " samples in 10 minutes");
    }

    /** Every committed value of a single-partition topic. */
    static List<byte[]> values(String bootstrap, String topic) {
        return io.varshift.agent.it.TrafficClient.readCommitted(bootstrap, topic).stream()
                .map(ConsumerRecord::value).toList();
    }

    static List<byte[]> images(int n) {
        ImageSet test = FashionMnist.installed().test();
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(NpyWriter.float32(TinyFashionModel.image(test, TinyFashionModel.CALIBRATION + i), 1, 28, 28));
        }
        return out;
    }

    /**
     * The fleet judge's cost on real partials: the whole processor step per partial (parse, merge into
     * the open window, the store entry written and read back, a window judged every window's worth),
     * and a parse and a merge alone; best of five rounds.
     */
    static void mergeCost(List<byte[]> partials, Path store) {
        if (partials.isEmpty()) {
            return;
        }
        FleetTopology.Settings settings = new FleetTopology.Settings("fleet-bench", "partials", "windows", "alerts",
                WINDOW, Duration.ofMinutes(5), 2, 2);
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "fleet-bench");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        double bestStep = Double.MAX_VALUE;
        double bestParse = Double.MAX_VALUE;
        double bestMerge = Double.MAX_VALUE;
        FleetTopology.References references = FleetTopology.references(new ModelStore(store));
        for (int round = 0; round < 5; round++) {
            try (TopologyTestDriver driver = new TopologyTestDriver(FleetTopology.topology(settings, references,
                    new AgentMetrics(new SimpleMeterRegistry())), p)) {
                TestInputTopic<byte[], byte[]> in = driver.createInputTopic("partials", new ByteArraySerializer(),
                        new ByteArraySerializer());
                byte[] key = MODEL.getBytes(StandardCharsets.UTF_8);
                long t = System.nanoTime();
                for (byte[] v : partials) {
                    in.pipeInput(key, v);
                }
                bestStep = Math.min(bestStep, (System.nanoTime() - t) / 1e3 / partials.size());
            }
            long t = System.nanoTime();
            List<Partial> parsed = new ArrayList<>();
            for (byte[] v : partials) {
                parsed.add(Partial.parse(v));
            }
            bestParse = Math.min(bestParse, (System.nanoTime() - t) / 1e3 / partials.size());
            List<ChannelMoments> sum = new ArrayList<>();
            parsed.get(0).moments().forEach(m -> sum.add(m.copy()));
            t = System.nanoTime();
            for (Partial x : parsed) {
                for (int l = 0; l < sum.size(); l++) {
                    sum.get(l).merge(x.moments().get(l));
                }
            }
            bestMerge = Math.min(bestMerge, (System.nanoTime() - t) / 1e3 / partials.size());
        }
        int channels = partials.isEmpty() ? 0 : Partial.parse(partials.get(0)).moments().stream()
                .mapToInt(ChannelMoments::channels).sum();
        System.out.printf("fleet judge per partial (%d partials, %d channels over all layers): whole step %.1f µs,"
                + " parse %.1f µs, merge of the moments %.2f µs%n", partials.size(), channels, bestStep, bestParse,
                bestMerge);
    }
}
