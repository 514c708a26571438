package io.varshift.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.varshift.core.codec.NpyWriter;
import io.varshift.core.data.ImageSet;
import io.varshift.core.data.SyntheticImages;
import io.varshift.stack.AppProcess;
import io.varshift.stack.KafkaBrokerExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own data and model end to end: the trainer's runner jar trains one model on a generated
 * folder of 3-channel 32×32 PNGs in 4 classes, one on the same kind of images as labelled NPY arrays,
 * and imports a third from the committed PyTorch fixture, calibrated on 16×16 images; the agent's
 * runner jar watches all three through a real broker. Fresh clean images of each are judged window
 * by window without a rejected record; the same images inverted raise each model's alarm.
 */
@ExtendWith(KafkaBrokerExtension.class)
class OwnDataEndToEndIT {

    private static final List<String> MODELS = List.of("own-folder", "own-npy", "own-imported");
    private static final Path IMPORT_FIXTURE = Path.of(System.getProperty("varshift.import.fixture",
            "../trainer/src/test/resources/io/varshift/trainer/imported/convnet-w4.npz"));
    private static final int WINDOW = 32;
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String TRAFFIC = "own-traffic-" + RUN;

    @TempDir
    static Path dir;

    private static AppProcess agent;
    private static String metricsUrl;

    @BeforeAll
    static void trainOnOwnDataAndStartTheAgent() throws Exception {
        Path store = dir.resolve("store");
        Path folder = SyntheticImages.writeFolder(dir.resolve("folder"), 4, 100, 3, 32, 32, 1);
        Path npy = SyntheticImages.writeNpy(dir.resolve("npy"), 4, 100, 3, 32, 32, 2);
        Path small = SyntheticImages.writeFolder(dir.resolve("small"), 4, 50, 3, 16, 16, 3);
        List<String> common = List.of("--held-out-fraction", "0.25", "--window-size", Integer.toString(WINDOW),
                "--replicates", "400");
        Map<String, List<String>> jobs = Map.of(
                "own-folder", List.of("train", "--model", "own-folder", "--data", folder.toString(), "--width", "8",
                        "--epochs", "5", "--batch-size", "16"),
                "own-npy", List.of("train", "--model", "own-npy", "--data", npy.toString(), "--width", "8",
                        "--epochs", "5", "--batch-size", "16"),
                // The committed PyTorch fixture of the import round trip: a convnet of width 4 on [3, 16, 16].
                "own-imported", List.of("import", "--model", "own-imported", "--weights", IMPORT_FIXTURE.toString(),
                        "--architecture", "convnet", "--width", "4", "--blocks", "2", "--data", small.toString()));
        for (String model : MODELS) {
            List<String> args = new ArrayList<>(jobs.get(model));
            args.addAll(common);
            try (AppProcess trainer = EndToEnd.startApp("trainer", EndToEnd.trainerJar(),
                    Map.of("varshift.trainer.model-store", store.toString()), args, dir.resolve(model + "-trainer.log"))) {
                trainer.awaitSuccess(Duration.ofSeconds(300));
            }
        }
        int port = EndToEnd.freePort();
        Map<String, String> config = EndToEnd.agentConfig("own", RUN, port, MODELS, store, WINDOW);
        config.put("varshift.agent.batch-size", "16");
        agent = EndToEnd.startApp("agent", EndToEnd.agentJar(), config, List.of(), dir.resolve("agent.log"));
        metricsUrl = "http://127.0.0.1:" + port + "/q/metrics";
        EndToEnd.await(Duration.ofSeconds(120), "the agent serving " + metricsUrl, () -> agent.alive() && metrics() != null);
    }

    @AfterAll
    static void stopTheAgent() {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void bothModelsAreJudgedOnCleanImagesWithoutARejectAndAlarmOnInvertedOnes() {
        // Fresh images of the same classes: the calibration never saw them.
        Map<String, ImageSet> clean = Map.of("own-folder", SyntheticImages.images(4, 40, 3, 32, 32, 77),
                "own-npy", SyntheticImages.images(4, 40, 3, 32, 32, 78),
                "own-imported", SyntheticImages.images(4, 40, 3, 16, 16, 79));
        for (String model : MODELS) {
            publish(model, clean.get(model), false);
        }
        for (String model : MODELS) {
            EndToEnd.await(Duration.ofSeconds(120), () -> "4 closed windows of " + model + "; agent log:\n" + agent.tail(40),
                    () -> sum("varshift_windows_closed_total", model) >= 4);
        }
        assertThat(sum("varshift_records_rejected_total", null)).as("rejected records; agent log:\n" + agent.tail(40))
                .isZero();
        for (String model : MODELS) {
            // The layers of a 2-block ConvNet on 3-channel input: every BN is probed and judged.
            assertThat(labelValues("varshift_layer_drift_score", model, "layer"))
                    .containsExactlyInAnyOrder("block1.bn1", "block1.bn2", "block2.bn1", "block2.bn2");
        }
        System.out.println("own data e2e: clean windows judged, model alarm states " + MODELS.stream()
                .map(m -> m + "=" + max("varshift_model_alarm_state", m)).toList());

        // A record of another model's shape ([1, 28, 28]) is refused against this model's spec and dead-lettered.
        publish("own-folder", ImageSet.ofFloats(new float[28 * 28], null, 1, 28, 28), false);
        EndToEnd.await(Duration.ofSeconds(60), () -> "the wrong-shaped record rejected; agent log:\n" + agent.tail(40),
                () -> samples("varshift_records_rejected_total", null).stream()
                        .anyMatch(s -> s.labels().contains("reason=\"shape_mismatch\"") && s.value() == 1));

        for (String model : MODELS) {
            publish(model, clean.get(model), true);
        }
        for (String model : MODELS) {
            EndToEnd.await(Duration.ofSeconds(120), () -> "the model alarm of " + model + " on inverted images; agent log:\n"
                    + agent.tail(40), () -> max("varshift_model_alarm_state", model) >= 1);
        }
    }

    /** Every image as one NPY record [1, C, H, W], inverted (1 − x) when asked. */
    private static void publish(String model, ImageSet images, boolean inverted) {
        int[] shape = {1, (int) images.sampleShape()[0], (int) images.sampleShape()[1], (int) images.sampleShape()[2]};
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaBrokerExtension.bootstrapServers());
        float[] sample = new float[images.sampleSize()];
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < images.size(); i++) {
                for (int j = 0; j < sample.length; j++) {
                    sample[j] = inverted ? 1 - images.value(i, j) : images.value(i, j);
                }
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(TRAFFIC,
                        NpyWriter.float32(sample, shape));
                record.headers().add("varshift-model", model.getBytes(StandardCharsets.UTF_8));
                producer.send(record);
            }
            producer.flush();
        }
    }

    /** The sum of a metric's samples, of one model when given. */
    private static double sum(String metric, String model) {
        return samples(metric, model).stream().mapToDouble(Sample::value).sum();
    }

    private static double max(String metric, String model) {
        return samples(metric, model).stream().mapToDouble(Sample::value).max().orElse(Double.NaN);
    }

    private static List<String> labelValues(String metric, String model, String label) {
        Pattern p = Pattern.compile(label + "=\"([^\"]*)\"");
        List<String> out = new ArrayList<>();
        for (Sample s : samples(metric, model)) {
            Matcher m = p.matcher(s.labels());
            if (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    private record Sample(String labels, double value) {
    }

    private static List<Sample> samples(String metric, String model) {
        String text = metrics();
        List<Sample> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        Pattern line = Pattern.compile("^" + metric + "(\\{[^}]*})?\\s+(\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(text);
        while (m.find()) {
            String labels = m.group(1) == null ? "" : m.group(1);
            if (model == null || labels.contains("model=\"" + model + "\"")) {
                out.add(new Sample(labels, Double.parseDouble(m.group(2))));
            }
        }
        return out;
    }

    private static String metrics() {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(metricsUrl)).timeout(Duration.ofSeconds(2)).build();
            HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
